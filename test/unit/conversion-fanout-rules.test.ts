import fc from 'fast-check';
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { EVENT_RULES } from '../../functions/core/event-rules';
import { DETAIL_TYPES, type DetailType } from '../../functions/core/events';
import { messageFor } from '../../functions/core/notifications/messages';
import { recipientsFor } from '../../functions/core/notifications/recipients';
import { subscriptionRequestSchema, wants } from '../../functions/core/outbound/subscriptions';
import { FUNCTIONS } from '../../functions/routes';
import { matchesPattern } from '../../local/event-pattern';

const lead = { id: 'L1', owner: 'bob', followers: ['carol', 'dave'] };
const event = (detailType: DetailType, detail: Record<string, unknown> = {}) => ({
  detailType,
  detail: { eventId: 'e1', occurredAt: '2026-11-23T11:00:00Z', leadId: 'L1', lead, ...detail },
});

describe('who is notified', () => {
  it('tells the owner on assignment, aging and decisions, and followers on everything', () => {
    for (const type of ['LeadAssigned', 'LeadAging', 'ApprovalDecided', 'LeadConverted'] as const) {
      expect(recipientsFor(event(type), undefined)).toEqual([
        { user: 'bob', reason: 'owner' },
        { user: 'carol', reason: 'follower' },
        { user: 'dave', reason: 'follower' },
      ]);
    }
    expect(recipientsFor(event('LeadStageChanged'), undefined).map((r) => r.user)).toEqual(['carol', 'dave']);
  });

  it('tells the manager on escalation and the approvers (or the team manager for the manager group) on a request', () => {
    expect(recipientsFor(event('LeadEscalated', { manager: 'maria' }), undefined)[0]).toEqual({
      user: 'maria',
      reason: 'manager',
    });
    expect(recipientsFor(event('LeadEscalated', { manager: null }), 'mike')[0]).toEqual({
      user: 'mike',
      reason: 'manager',
    });
    expect(recipientsFor(event('ApprovalRequested', { approvers: ['erin'] }), undefined)[0]).toEqual({
      user: 'erin',
      reason: 'approver',
    });
    expect(recipientsFor(event('ApprovalRequested', { approvers: [], group: 'manager' }), 'mike')[0]).toEqual({
      user: 'mike',
      reason: 'approver',
    });
  });

  it('names everyone at most once and never the user who acted', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DETAIL_TYPES),
        fc.array(fc.constantFrom('bob', 'carol', 'dave', 'erin'), { maxLength: 6 }),
        fc.constantFrom('bob', 'carol', 'zed'),
        (type, followers, actor) => {
          const recipients = recipientsFor(
            {
              detailType: type,
              detail: {
                eventId: 'e',
                occurredAt: 'x',
                lead: { owner: 'bob', followers },
                approvers: followers,
                actor: { kind: 'user', id: actor },
              },
            },
            'maria',
          );
          const users = recipients.map((r) => r.user);
          return new Set(users).size === users.length && (type === 'ApprovalRequested' || !users.includes(actor));
        },
      ),
    );
  });

  it('renders a subject for every event type and names the SES template after it', () => {
    for (const type of DETAIL_TYPES) {
      const message = messageFor(
        event(type, { to: 'Solution', opportunityId: 'opp-L1' }),
        'carol',
        'follower',
        'https://app.example',
      );
      expect(message.subject.length).toBeGreaterThan(5);
      expect(message.template).toBe(`leadflow-${type}`);
      expect(message.text).toContain('https://app.example/leads/L1');
    }
  });

  it('names the lead, the opportunity and people in subjects when the names are known, never the ids', () => {
    const names = {
      lead: 'Ada Lovelace',
      opportunity: 'Lovelace Ltd — enterprise',
      person: (user: string) => ({ bob: 'Bob Brown', carol: 'Carol Clark' })[user] ?? user,
    };
    const detail = { to: 'Solution', opportunityId: 'opp-L1', owner: 'bob', author: 'carol', user: 'carol' };
    for (const type of DETAIL_TYPES) {
      const { subject } = messageFor(event(type, detail), 'carol', 'follower', undefined, names);
      expect(subject).not.toMatch(/\bL1\b|opp-L1|\bbob\b|\bcarol\b/);
    }
    expect(messageFor(event('LeadAssigned', detail), 'bob', 'owner', undefined, names).subject).toBe(
      'Lead Ada Lovelace assigned to Bob Brown',
    );
    expect(messageFor(event('OpportunityStageChanged', detail), 'bob', 'owner', undefined, names).subject).toBe(
      'Opportunity Lovelace Ltd — enterprise moved to Solution',
    );
  });
});

describe('bus rules', () => {
  it('route every leadflow event to notifications and outbound webhooks, and target real functions', () => {
    for (const type of DETAIL_TYPES) {
      const envelope = { source: 'leadflow', 'detail-type': type, detail: {} };
      const targets = EVENT_RULES.filter((r) => matchesPattern(r.pattern, envelope)).map((r) => r.target);
      expect(targets).toEqual(expect.arrayContaining(['notifications', 'outbound']));
    }
    expect(
      EVENT_RULES.filter((r) => matchesPattern(r.pattern, { source: 'other', 'detail-type': 'LeadCreated' })),
    ).toEqual([]);
    for (const rule of EVENT_RULES) expect(FUNCTIONS[rule.target]).toBeDefined();
  });
});

describe('outbound subscriptions', () => {
  it('accepts public https URLs and refuses http and credentials on AWS (addresses: outbound-address-policy.test.ts)', () => {
    const strict = subscriptionRequestSchema(false);
    expect(strict.safeParse({ url: 'https://hooks.crm.example/leadflow', eventTypes: ['LeadConverted'] }).success).toBe(
      true,
    );
    for (const url of [
      'http://hooks.crm.example/x',
      'ftp://hooks.crm.example/x',
      'https://user:pw@hooks.crm.example/x',
    ]) {
      expect(strict.safeParse({ url, eventTypes: ['*'] }).success, url).toBe(false);
    }
    expect(
      subscriptionRequestSchema(true).safeParse({ url: 'http://127.0.0.1:8080/hook', eventTypes: ['*'] }).success,
    ).toBe(true);
  });

  it('rejects unknown event types and matches the wildcard against every type', () => {
    expect(
      subscriptionRequestSchema(false).safeParse({ url: 'https://a.example', eventTypes: ['LeadExploded'] }).success,
    ).toBe(false);
    const all = { id: 's', url: 'https://a.example', eventTypes: ['*' as const], createdAt: '', createdBy: '' };
    expect(DETAIL_TYPES.every((t) => wants(all, t))).toBe(true);
  });
});
