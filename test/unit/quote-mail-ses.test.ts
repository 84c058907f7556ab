import { Readable } from 'node:stream';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from '@jest/globals';
import { sesQuoteEmail } from '../../functions/adapters/quote-documents';
import type { QuoteMailMessage } from '../../functions/core/quotes/ports';

type CapturedRequest = { method: string; path: string; headers: Record<string, string>; body: Uint8Array | string };

/** A real SESv2 client whose transport keeps the request it would send and answers as SES does. */
const capturingSes = () => {
  const requests: CapturedRequest[] = [];
  const ses = new SESv2Client({
    region: 'eu-central-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' },
    requestHandler: {
      handle: async (request: CapturedRequest) => {
        requests.push(request);
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/json' },
            body: Readable.from([Buffer.from(JSON.stringify({ MessageId: 'msg-1' }))]),
          },
        };
      },
    } as never,
  });
  return { ses, requests };
};

// A stand-in for the rendered PDF: bytes that are not valid UTF-8, so only a binary-safe encoding survives.
const pdf = Uint8Array.from([
  ...Buffer.from('%PDF-1.7\n'),
  0xe2,
  0xe3,
  0xcf,
  0xd3,
  0x00,
  0xff,
  ...Buffer.from('%%EOF'),
]);
const message: QuoteMailMessage = {
  eventId: 'evt-1',
  to: 'dana@northwind.example',
  subject: 'Your quote Q-2026-000001',
  text: 'Dear Dana Kowalski,\n\nplease find attached our quote Q-2026-000001 (version 1), valid until 2027-01-06.',
  leadId: '01M0000000000000000000000A',
  occurredAt: '2026-12-07T10:00:00.000Z',
  attachment: {
    key: 'leads/01M0000000000000000000000A/quotes/Q-2026-000001-v1.pdf',
    fileName: 'Q-2026-000001-v1.pdf',
    contentType: 'application/pdf',
    size: pdf.length,
    link: 'https://example.invalid/presigned',
    content: pdf,
  },
};

describe('the quote e-mail on AWS (SESv2 SendEmail)', () => {
  it('attaches the PDF itself (base64 on the wire) to a simple message, with no download link', async () => {
    const { ses, requests } = capturingSes();
    const answer = await ses.send(new SendEmailCommand(sesQuoteEmail('quotes@leadflow.example', message)));
    expect(answer.MessageId).toBe('msg-1');
    expect(requests).toHaveLength(1);
    const [request] = requests as [CapturedRequest];
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v2/email/outbound-emails');
    const wire = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
    const body = JSON.parse(wire);
    expect(body).toEqual({
      FromEmailAddress: 'quotes@leadflow.example',
      Destination: { ToAddresses: ['dana@northwind.example'] },
      Content: {
        Simple: {
          Subject: { Data: 'Your quote Q-2026-000001', Charset: 'UTF-8' },
          Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
          Attachments: [
            {
              RawContent: Buffer.from(pdf).toString('base64'),
              FileName: 'Q-2026-000001-v1.pdf',
              ContentType: 'application/pdf',
              ContentDisposition: 'ATTACHMENT',
              ContentTransferEncoding: 'BASE64',
            },
          ],
        },
      },
    });
    // The bytes decode back to the PDF exactly; the customer gets no expiring link.
    expect(Buffer.from(body.Content.Simple.Attachments[0].RawContent, 'base64').equals(Buffer.from(pdf))).toBe(true);
    expect(wire).not.toContain(message.attachment.link);
    ses.destroy();
  });
});
