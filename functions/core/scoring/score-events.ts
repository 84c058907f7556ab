import { type BusEvent, makeEvent, snapshotOf } from '../events';
import type { AuditEntry, Lead } from '../lead';
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

/**
 * Everything a rescore writes (the lifecycle calls it when a lead's data or behaviour changes): the
 * new score on the lead, an audit entry (the score history), and `LeadScoreChanged` when the band moved.
 */
export const rescore = (
  lead: Lead,
  after: ScoreResult,
  at: string,
): {
  patch: Pick<Lead, 'score' | 'scoreBand' | 'scoreFactors' | 'scoreModel'>;
  audit: AuditEntry;
  moved: boolean;
  events: BusEvent[];
} => {
  const event = scoreChangedEvent(lead, after, at);
  return {
    /** The score or the band changed: worth an entry in the audit trail. */
    moved: after.score !== lead.score || after.band !== lead.scoreBand,
    patch: { score: after.score, scoreBand: after.band, scoreFactors: after.factors, scoreModel: after.model },
    audit: {
      at,
      actor: { kind: 'system', id: 'scoring', source: 'WORKFLOW' },
      action: 'rescored',
      why: `${lead.score ?? '–'} (${lead.scoreBand ?? '–'}) → ${after.score} (${after.band}) by ${after.model}`,
      data: { factors: after.factors.slice(0, 5) },
    },
    events: event ? [event] : [],
  };
};
