import { describe, expect, it } from '@jest/globals';
import {
  closeFulfilled,
  elicitSlot,
  fromLexSlots,
  type LexEvent,
  lexEventSchema,
  slotValue,
} from '../../functions/core/source-adapters/lex-v2';
import fixture from '../fixtures/lex-v2-fulfillment.json';

const MAPPING = {
  FirstName: 'firstName',
  LastName: 'lastName',
  Email: 'email',
  Phone: 'phone',
  Company: 'company',
  Product: 'productInterest',
};
const event = (): LexEvent => lexEventSchema.parse(structuredClone(fixture));

describe('Amazon Lex V2 code-hook events', () => {
  it('accepts the documented event shape, unknown fields included', () => {
    expect(lexEventSchema.safeParse(fixture).success).toBe(true);
    expect(lexEventSchema.safeParse({ ...fixture, somethingNew: { x: 1 } }).success).toBe(true);
  });

  it('takes the value Lex interpreted, then its first resolution, then what was typed', () => {
    expect(
      slotValue({
        value: { originalValue: 'the analytics one', interpretedValue: 'Analytics', resolvedValues: ['Analytics'] },
      }),
    ).toBe('Analytics');
    expect(slotValue({ value: { originalValue: 'nyc', resolvedValues: ['New York'] } })).toBe('New York');
    expect(slotValue({ value: { originalValue: ' typed ' } })).toBe('typed');
    expect(slotValue(null)).toBeUndefined();
    expect(slotValue({ value: { originalValue: '   ' } })).toBeUndefined();
  });

  it('maps slots to canonical fields by the source mapping and keeps unmapped slots as custom fields', () => {
    const intent = event().sessionState.intent;
    intent.slots = {
      ...intent.slots,
      Budget: { shape: 'Scalar', value: { originalValue: '10k', interpretedValue: '10000' } },
      Deal: { value: { interpretedValue: '5000' } },
    };
    const lead = fromLexSlots(intent, { ...MAPPING, Deal: 'expectedValue' });
    expect(lead).toMatchObject({
      firstName: 'Dana',
      lastName: 'Reyes',
      email: 'Dana@Northwind.example',
      company: 'Northwind',
      productInterest: 'Analytics',
      expectedValue: 5000,
    });
    expect(lead.customFields).toEqual({ Budget: '10000', lexIntent: 'RequestDemo' });
    expect(lead).not.toHaveProperty('phone');
  });

  it('closes a fulfilled intent in the response shape Lex expects', () => {
    const answer = closeFulfilled(event(), 'Thanks!');
    expect(answer.sessionState.dialogAction).toEqual({ type: 'Close' });
    expect(answer.sessionState.intent).toMatchObject({ name: 'RequestDemo', state: 'Fulfilled' });
    expect(answer.messages).toEqual([{ contentType: 'PlainText', content: 'Thanks!' }]);
  });

  it('asks for one slot again with its value cleared', () => {
    const answer = elicitSlot(event(), 'Email', 'What is your e-mail?');
    expect(answer.sessionState.dialogAction).toEqual({ type: 'ElicitSlot', slotToElicit: 'Email' });
    expect(answer.sessionState.intent.state).toBe('InProgress');
    expect(answer.sessionState.intent.slots?.Email).toBeNull();
    expect(answer.sessionState.intent.slots?.FirstName).not.toBeNull();
  });
});
