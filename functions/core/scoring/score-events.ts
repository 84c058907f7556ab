import { type BusEvent, makeEvent, snapshotOf } from '../events';
import type { Lead } from '../lead';
import { bandChanged, type ScoreResult, topFactors } from './score-lead';

/**
 * `LeadScoreChanged` for a rescore that moved the lead's band, or nothing. The event id is
 * deterministic (lead, model, band move, lead version) so a retried rescore is dropped downstream.
 */
export const scoreChangedEvent = (before: Lead, after: ScoreResult, at: string): BusEvent | undefined => {
  if (!bandChanged(before, after)) return undefined;
  const lead = { ...before, score: after.score, scoreBand: after.band };
  return makeEvent('LeadScoreChanged', `score-${before.id}-${before.version}-${before.scoreBand}-${after.band}`, at, {
    leadId: before.id,
    from: { score: before.score, band: before.scoreBand, model: before.scoreModel },
    to: { score: after.score, band: after.band, model: after.model },
    topFactors: topFactors(after),
    lead: snapshotOf(lead),
  });
};
