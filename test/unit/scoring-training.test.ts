import { describe, expect, it } from '@jest/globals';
import type { Lead } from '../../functions/core/lead';
import { auc, calibrationByDecile, type Outcome, trainModel } from '../../functions/core/scoring/learned-model';
import { DEFAULT_SCORING, type ScoringConfig } from '../../functions/core/scoring/points-config';
import type { ScorableLead } from '../../functions/core/scoring/rules';
import { scoreLead } from '../../functions/core/scoring/score-lead';

/** A small seeded generator so the synthetic history is the same on every run. */
const rng = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};

const base: Omit<Lead, 'id'> = {
  version: 1,
  stage: 'Converted',
  leadType: 'B2B',
  channel: 'WEBHOOK',
  sourceId: 'webinar',
  deliveryId: 'd',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  createdBy: { kind: 'source', id: 'webinar', source: 'WEBHOOK' },
  duplicates: [],
  duplicatePolicy: 'create',
  stageEnteredAt: '2026-01-01T00:00:00.000Z',
  email: 'x@acme.com',
};

/**
 * Leads where the planted signal is a reply to an email (which the default points model rewards
 * only a little) and a title the points model likes (VP) carries no signal at all.
 */
const history = (n: number, seed = 7): Outcome[] => {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const replied = r() < 0.4;
    const vp = r() < 0.5;
    const freeMail = r() < 0.3;
    const lead: ScorableLead = {
      ...base,
      id: `L${i}`,
      jobTitle: vp ? 'VP Sales' : 'Engineer',
      freeMail,
      companyDomain: freeMail ? undefined : 'acme.com',
      behaviour: replied ? { 'email-reply': 1 } : {},
    };
    const p = replied ? 0.85 : 0.12;
    return { lead, converted: r() < p };
  });
};

const now = new Date('2026-11-23T10:00:00Z');

describe('learned scoring model', () => {
  it('computes AUC 1 for a perfect ranking, 0.5 for ties, 0 for a reversed one', () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(auc([0.5, 0.5, 0.5, 0.5], [false, true, false, true])).toBe(0.5);
    expect(auc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
  });

  it('learns a planted signal to a holdout AUC of at least 0.8 and replaces the points model', () => {
    const outcomes = history(2000);

    const model = trainModel(outcomes, DEFAULT_SCORING, { version: 1, now });

    expect(model.card.holdoutAuc).toBeGreaterThanOrEqual(0.8);
    expect(model.card.holdoutAuc).toBeGreaterThan(model.card.pointsHoldoutAuc);
    expect(model.card.conversions).toBeGreaterThanOrEqual(200);
    expect(model.active).toBe(true);
    const replied = scoreLead(
      { ...base, id: 'n1', jobTitle: 'Engineer', behaviour: { 'email-reply': 1 } },
      DEFAULT_SCORING,
      model,
    );
    const silentVp = scoreLead({ ...base, id: 'n2', jobTitle: 'VP Sales', behaviour: {} }, DEFAULT_SCORING, model);
    expect(replied.model).toBe('logreg@1');
    expect(replied.score).toBeGreaterThan(silentVp.score);
  });

  it('keeps the points model when there are fewer conversions than configured', () => {
    const outcomes = history(300);
    const config: ScoringConfig = { ...DEFAULT_SCORING, learned: { minConversions: 200, holdoutFraction: 0.25 } };

    const model = trainModel(outcomes, config, { version: 2, now });

    expect(model.card.conversions).toBeLessThan(200);
    expect(model.active).toBe(false);
    expect(model.card.decision).toMatch(/conversions < 200/);
    expect(scoreLead({ ...base, id: 'n3' }, config, model).model).toBe('points@0');
  });

  it('keeps the points model when the learned one does not beat it on the holdout', () => {
    // Outcomes follow the points model exactly (VPs convert, nobody else does): it ranks the holdout
    // perfectly, so the learned model can at best tie, and a tie does not replace it.
    const r = rng(11);
    const outcomes: Outcome[] = Array.from({ length: 1500 }, (_, i) => {
      const vp = r() < 0.5;
      return { lead: { ...base, id: `P${i}`, jobTitle: vp ? 'VP Sales' : 'Engineer' }, converted: vp };
    });
    const config: ScoringConfig = { ...DEFAULT_SCORING, learned: { minConversions: 10, holdoutFraction: 0.25 } };

    const model = trainModel(outcomes, config, { version: 3, now });

    expect(model.card.pointsHoldoutAuc).toBe(1);
    expect(model.active).toBe(false);
    expect(model.card.decision).toMatch(/does not beat the points model's 1/);
  });

  it('explains a learned score with factors that add up to it', () => {
    const model = trainModel(history(2000), DEFAULT_SCORING, { version: 4, now });
    for (const o of history(50, 99)) {
      const result = scoreLead(o.lead, DEFAULT_SCORING, model);
      expect(result.factors.reduce((s, f) => s + f.points, 0)).toBe(result.score);
    }
  });

  it('writes a model card with calibration by decile', () => {
    const model = trainModel(history(2000), DEFAULT_SCORING, { version: 5, now });

    expect(model.card).toMatchObject({ version: 5, model: 'logreg@5', trainedAt: now.toISOString() });
    expect(model.card.trainingSize + model.card.holdoutSize).toBe(2000);
    expect(model.card.features.map((f) => f.name)).toContain('behaviour:email-reply');
    expect(model.card.calibration).toHaveLength(10);
    expect(calibrationByDecile([0.1, 0.9], [false, true])).toEqual([
      { decile: 5, count: 1, meanPredicted: 0.1, observedRate: 0 },
      { decile: 10, count: 1, meanPredicted: 0.9, observedRate: 1 },
    ]);
  });
});
