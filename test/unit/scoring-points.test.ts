import fc from 'fast-check';
import { describe, expect, it } from '@jest/globals';
import type { BusEvent } from '../../functions/core/events';
import type { Lead } from '../../functions/core/lead';
import { eventProblems } from '../support/event-schemas';
import {
  DEFAULT_SCORING,
  type PointsRule,
  type ScoringConfig,
  scoringConfigSchema,
} from '../../functions/core/scoring/points-config';
import type { ScorableLead } from '../../functions/core/scoring/rules';
import { rescore, scoreChangedEvent } from '../../functions/core/scoring/score-events';
import { describeFactor, pointsScore, scoreLead, topFactors } from '../../functions/core/scoring/score-lead';

const lead = (overrides: Partial<ScorableLead> = {}): ScorableLead => ({
  id: 'L1',
  version: 1,
  stage: 'Creation',
  leadType: 'B2B',
  channel: 'WEBHOOK',
  sourceId: 'webinar',
  deliveryId: 'd1',
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
  createdBy: { kind: 'source', id: 'webinar', source: 'WEBHOOK' },
  duplicates: [],
  duplicatePolicy: 'create',
  stageEnteredAt: '2026-11-23T10:00:00.000Z',
  email: 'ann@acme.com',
  ...overrides,
});

const arbLead: fc.Arbitrary<ScorableLead> = fc
  .record({
    jobTitle: fc.option(
      fc.constantFrom('VP Sales', 'Head of IT', 'Student', 'Engineer', 'Chief Executive', 'Marketing Manager'),
      { nil: undefined },
    ),
    freeMail: fc.option(fc.boolean(), { nil: undefined }),
    companyDomain: fc.option(fc.constantFrom('acme.com', 'beta.io'), { nil: undefined }),
    country: fc.option(fc.constantFrom('DE', 'US', 'BR', 'IN'), { nil: undefined }),
    sourceId: fc.constantFrom('webinar', 'google-ads', 'manual'),
    campaign: fc.option(fc.constantFrom('spring', 'fall'), { nil: undefined }),
    consent: fc.option(fc.record({ marketing: fc.boolean() }), { nil: undefined }),
    firstName: fc.option(fc.constant('Ann'), { nil: undefined }),
    company: fc.option(fc.constant('Acme'), { nil: undefined }),
    phone: fc.option(fc.constant('+4930123456'), { nil: undefined }),
    behaviour: fc.option(fc.dictionary(fc.constantFrom('form-revisit', 'email-reply'), fc.nat(6)), { nil: undefined }),
  })
  .map((fields) => lead(fields as Partial<Lead>));

const arbRule: fc.Arbitrary<PointsRule> = fc.oneof(
  fc.record({
    when: fc.constant('titleContains' as const),
    keywords: fc.constantFrom<string[]>(['VP'], ['Head', 'Director'], ['Student']),
    points: fc.integer({ min: -100, max: 100 }),
  }),
  fc.record({ when: fc.constant('freeMail' as const), points: fc.integer({ min: -100, max: 100 }) }),
  fc.record({ when: fc.constant('companyDomain' as const), points: fc.integer({ min: -100, max: 100 }) }),
  fc.record({
    when: fc.constant('countryIn' as const),
    countries: fc.constantFrom<string[]>(['DE'], ['US', 'DE']),
    points: fc.integer({ min: -100, max: 100 }),
  }),
  fc.record({
    when: fc.constant('sourceIn' as const),
    sources: fc.constantFrom<string[]>(['webinar'], ['manual']),
    points: fc.integer({ min: -100, max: 100 }),
  }),
  fc.record({ when: fc.constant('marketingConsent' as const), points: fc.integer({ min: -100, max: 100 }) }),
  fc.record({
    when: fc.constant('completeness' as const),
    atLeast: fc.double({ min: 0, max: 1, noNaN: true }),
    points: fc.integer({ min: -100, max: 100 }),
  }),
  fc.record({
    when: fc.constant('behaviour' as const),
    event: fc.constantFrom('form-revisit', 'email-reply'),
    points: fc.integer({ min: -20, max: 20 }),
    max: fc.integer({ min: 1, max: 5 }),
  }),
);

const arbConfig: fc.Arbitrary<ScoringConfig> = fc
  .record({ baseline: fc.integer({ min: 0, max: 100 }), rules: fc.array(arbRule, { maxLength: 12 }) })
  .map(({ baseline, rules }) => ({ ...DEFAULT_SCORING, baseline, rules }));

const sum = (factors: { points: number }[]) => factors.reduce((s, f) => s + f.points, 0);

describe('points scoring', () => {
  it('keeps every score between 0 and 100, whatever the rules', () => {
    fc.assert(
      fc.property(arbLead, arbConfig, (l, config) => {
        const { score } = pointsScore(l, config);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(100);
      }),
    );
  });

  it('explains every score with factors that add up to it, clamping included', () => {
    fc.assert(
      fc.property(arbLead, arbConfig, (l, config) => {
        const result = pointsScore(l, config);
        expect(sum(result.factors)).toBe(result.score);
      }),
    );
  });

  it('never lowers a score when a rule with positive points is added', () => {
    fc.assert(
      fc.property(arbLead, arbConfig, arbRule, (l, config, rule) => {
        const positive = { ...rule, points: Math.abs(rule.points) } as PointsRule;
        const before = pointsScore(l, config).score;
        const after = pointsScore(l, { ...config, rules: [...config.rules, positive] }).score;
        expect(after).toBeGreaterThanOrEqual(before);
      }),
    );
  });

  it('answers bands by the configured thresholds', () => {
    fc.assert(
      fc.property(arbLead, arbConfig, (l, config) => {
        const { score, band } = pointsScore(l, config);
        const expected =
          score >= config.bands.A ? 'A' : score >= config.bands.B ? 'B' : score >= config.bands.C ? 'C' : 'D';
        expect(band).toBe(expected);
      }),
    );
  });

  it('tells the top factors in words, largest first', () => {
    const result = scoreLead(
      lead({ jobTitle: 'VP Sales', freeMail: true, email: 'ann@gmail.com' }),
      DEFAULT_SCORING,
      undefined,
      3,
    );
    expect(topFactors(result)).toEqual(['+18 title contains VP', '+10 baseline', '−9 free-mail address']);
    expect(result.model).toBe('points@3');
  });

  it('shows clamping as its own factor', () => {
    const config: ScoringConfig = {
      ...DEFAULT_SCORING,
      baseline: 90,
      rules: [{ when: 'titleContains', keywords: ['VP'], points: 30 }],
    };
    const result = pointsScore(lead({ jobTitle: 'VP Sales' }), config);
    expect(result.score).toBe(100);
    expect(result.factors.map(describeFactor)).toEqual([
      '+90 baseline',
      '+30 title contains VP',
      '−20 clamped to the maximum of 100',
    ]);
  });

  it('matches title keywords as whole words, ignoring case', () => {
    const config: ScoringConfig = {
      ...DEFAULT_SCORING,
      baseline: 0,
      rules: [{ when: 'titleContains', keywords: ['VP'], points: 10 }],
    };
    expect(pointsScore(lead({ jobTitle: 'svp of sales' }), config).score).toBe(0);
    expect(pointsScore(lead({ jobTitle: 'Regional vp, EMEA' }), config).score).toBe(10);
  });

  it('scores marketing consent by the current answer: a withdrawal after capture takes the points away', () => {
    const config: ScoringConfig = {
      ...DEFAULT_SCORING,
      baseline: 10,
      rules: [{ when: 'marketingConsent', points: 5 }],
    };
    const captured = lead({ consent: { marketing: true, capturedAt: '2026-11-23T10:00:00.000Z' } });
    expect(pointsScore(captured, config).score).toBe(15);
    const withdrawn = lead({
      consent: captured.consent,
      consents: { 'marketing-email': { granted: false, at: '2026-11-24T10:00:00.000Z', recordId: 'c1' } },
    });
    expect(pointsScore(withdrawn, config).score).toBe(10);
    // A later grant counts although the capture said no.
    const granted = lead({
      consent: { marketing: false },
      consents: { 'marketing-email': { granted: true, at: '2026-11-24T10:00:00.000Z', recordId: 'c2' } },
    });
    expect(pointsScore(granted, config).score).toBe(15);
  });

  it('counts behaviour events per occurrence up to the cap', () => {
    const config: ScoringConfig = {
      ...DEFAULT_SCORING,
      baseline: 0,
      rules: [{ when: 'behaviour', event: 'form-revisit', points: 5, max: 3 }],
    };
    const result = pointsScore(lead({ behaviour: { 'form-revisit': 7 } }), config);
    expect(result.score).toBe(15);
    expect(topFactors(result)).toEqual(['+15 3× form-revisit']);
  });

  it('accepts the default configuration and rejects thresholds that do not fall from A to C', () => {
    expect(scoringConfigSchema.safeParse(DEFAULT_SCORING).success).toBe(true);
    const bad = scoringConfigSchema.safeParse({ ...DEFAULT_SCORING, bands: { A: 30, B: 50, C: 70 } });
    expect(bad.success).toBe(false);
  });

  it('announces LeadScoreChanged only when a rescore moves the band', () => {
    const before = { ...lead({ jobTitle: 'Engineer' }), score: 40, scoreBand: 'C' as const, scoreModel: 'points@1' };
    const same = scoreChangedEvent(
      before,
      { score: 42, band: 'C', factors: [], model: 'points@2' },
      '2026-11-23T11:00:00.000Z',
    );
    const moved = scoreChangedEvent(
      before,
      { score: 75, band: 'A', factors: [{ points: 75, reason: 'baseline' }], model: 'points@2' },
      '2026-11-23T11:00:00.000Z',
    );
    expect(same).toBeUndefined();
    expect(moved).toMatchObject({
      detailType: 'LeadScoreChanged',
      detail: { leadId: 'L1', from: { band: 'C' }, to: { band: 'A', score: 75 }, lead: { scoreBand: 'A' } },
    });
    expect(eventProblems(moved as BusEvent)).toEqual([]);
  });

  it('records a rescore in the audit trail and announces it only when the band moves', () => {
    const before = {
      ...lead({ jobTitle: 'VP Sales', behaviour: { 'email-reply': 2 } }),
      score: 40,
      scoreBand: 'C' as const,
      scoreModel: 'points@1',
    };

    const result = rescore(before, pointsScore(before, DEFAULT_SCORING, 2), '2026-11-23T11:00:00.000Z');

    expect(result.patch).toMatchObject({ score: 52, scoreBand: 'B', scoreModel: 'points@2' });
    expect(result.audit).toMatchObject({ action: 'rescored', why: '40 (C) → 52 (B) by points@2' });
    expect(result.events.map((e) => e.detailType)).toEqual(['LeadScoreChanged']);
  });
});
