import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendEmailCommand, type SendEmailCommandInput, SESv2Client } from '@aws-sdk/client-sesv2';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { QuoteDocuments, QuoteMail, QuoteMailMessage } from '../core/quotes/ports';
import { makeLocalBlobUrls } from './attachments-local';
import { makeS3BlobUrls } from './attachments-s3';
import { keys } from './keys';
import { isConditionalCheckFailed } from './transaction';

/**
 * pdf-lib, fontkit and the standard fonts (about 1.3 MB of the bundle) are loaded by the first quote
 * rendered, not by every cold start of the quotes API (most of its calls list, price or decide quotes).
 */
const renderQuotePdf: QuoteDocuments['render'] = async (quote, seller) =>
  (await import('./quote-pdf')).renderQuotePdf(quote, seller);

/** How long a quote's download link stays valid (the console's "Get PDF", and the local outbox's link). */
const LINK_SECONDS = 7 * 24 * 3600;
const PDF = 'application/pdf';

/** On AWS: the PDF in the attachments bucket under the lead's prefix, handed out by presigned GET. */
export const makeS3QuoteDocuments = (bucket: string, client = new S3Client({})): QuoteDocuments => {
  const urls = makeS3BlobUrls(bucket, client);
  return {
    render: renderQuotePdf,
    async store(key, bytes) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: PDF }));
    },
    downloadUrl: (key, fileName) => urls.downloadUrl(key, fileName, PDF, LINK_SECONDS),
  };
};

/** Locally: the PDF under BLOB_DIR, served by the runtime's signed blob route like any attachment. */
export const makeLocalQuoteDocuments = (blobDir: string, publicUrl: string): QuoteDocuments => {
  const urls = makeLocalBlobUrls(publicUrl);
  return {
    render: renderQuotePdf,
    async store(key, bytes) {
      const root = normalize(blobDir);
      const file = normalize(join(root, key));
      if (!file.startsWith(root + sep)) throw new Error(`invalid blob key ${key}`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.part`, bytes);
      renameSync(`${file}.part`, file);
    },
    downloadUrl: (key, fileName) => urls.downloadUrl(key, fileName, PDF, LINK_SECONDS),
  };
};

/**
 * Locally (`NOTIFY_MODE=outbox`) the customer's e-mail lands in the outbox like every notification
 * (GET /_local/outbox), keyed by (event, recipient): a retried send writes nothing new.
 */
export const makeOutboxQuoteMail = (db: DynamoDBDocumentClient, table: string): QuoteMail => ({
  async deliver({ attachment: { content: _bytes, ...attachment }, ...message }) {
    // The item keeps what the mail carries (name, type, size) and where the file is, not its bytes.
    try {
      await db.send(
        new PutCommand({
          TableName: table,
          Item: {
            ...keys.outbox(message.occurredAt, message.eventId, message.to),
            type: 'outbox',
            detailType: 'QuoteSent',
            reason: 'customer',
            template: 'leadflow-QuoteSent',
            data: { quoteLink: attachment.link },
            ...message,
            attachment,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'sent';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'duplicate';
      throw error;
    }
  },
});

/**
 * The SESv2 SendEmail request for a quote: a simple message (subject and text) with the PDF attached
 * (`Content.Simple.Attachments`; the SDK base64-encodes the bytes), so the customer keeps the document
 * itself rather than a link that expires.
 */
export const sesQuoteEmail = (from: string, message: QuoteMailMessage): SendEmailCommandInput => ({
  FromEmailAddress: from,
  Destination: { ToAddresses: [message.to] },
  Content: {
    Simple: {
      Subject: { Data: message.subject, Charset: 'UTF-8' },
      Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
      Attachments: [
        {
          RawContent: message.attachment.content,
          FileName: message.attachment.fileName,
          ContentType: message.attachment.contentType,
          ContentDisposition: 'ATTACHMENT',
          ContentTransferEncoding: 'BASE64',
        },
      ],
    },
  },
});

/**
 * On AWS: SES, the quote's PDF attached to a plain message. The (event, recipient) marker makes a
 * retried send a no-op, as for notifications.
 */
export const makeSesQuoteMail = (
  db: DynamoDBDocumentClient,
  table: string,
  from: string,
  ses = new SESv2Client({}),
): QuoteMail => ({
  async deliver(message) {
    try {
      await db.send(
        new PutCommand({
          TableName: table,
          Item: { ...keys.notified(message.eventId, message.to), type: 'notified' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'duplicate';
      throw error;
    }
    await ses.send(new SendEmailCommand(sesQuoteEmail(from, message)));
    return 'sent';
  },
});
