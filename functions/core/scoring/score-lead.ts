import type { ScoreFactor } from '../lead';
import type { Band, ScoringConfig } from './points-config';
import { evaluateRule, type ScorableLead } from './rules';
import type { LearnedModel } from './learned-model';

export type ScoreResult = {
  score: number;
  band: Band;
  /** Every non-zero contribution, largest first; they add up to `score` exactly. */
  factors: ScoreFactor[];
  model: `points@${number}` | `logreg@${number}`;
};

export const MIN_SCORE = 0;
export const MAX_SCORE = 100;

export const bandOf = (score: number, bands: ScoringConfig['bands']): Band =>
  score >= bands.A ? 'A' : score >= bands.B ? 'B' : score >= bands.C ? 'C' : 'D';

/** "+18 title contains VP", "−9 free-mail address". */
export const describeFactor = (factor: ScoreFactor): string =>
  `${factor.points >= 0 ? '+' : '−'}${Math.abs(factor.points)} ${factor.reason}`;

/** The first `n` factors in words, for a lead's card. */
export const topFactors = (result: Pick<ScoreResult, 'factors'>, n = 3): string[] =>
  result.factors.slice(0, n).map(describeFactor);

const byWeight = (a: ScoreFactor, b: ScoreFactor) =>
  Math.abs(b.points) - Math.abs(a.points) || a.reason.localeCompare(b.reason);

/** The points model alone: baseline plus every firing rule, clamped to 0–100 (the clamp is a factor of its own). */
export const pointsScore = (lead: ScorableLead, config: ScoringConfig, configVersion = 0): ScoreResult => {
  const factors: ScoreFactor[] = [];
  if (config.baseline !== 0) factors.push({ points: config.baseline, reason: 'baseline' });
  for (const rule of config.rules) {
    const hit = evaluateRule(rule, lead);
    const points = rule.points * hit.units;
    if (points !== 0) factors.push({ points, reason: hit.reason });
  }
  const raw = factors.reduce((sum, f) => sum + f.points, 0);
  const score = Math.min(MAX_SCORE, Math.max(MIN_SCORE, raw));
  factors.sort(byWeight);
  if (score !== raw)
    factors.push({
      points: score - raw,
      reason: `clamped to ${score === MAX_SCORE ? 'the maximum of 100' : 'the minimum of 0'}`,
    });
  return { score, band: bandOf(score, config.bands), factors, model: `points@${configVersion}` };
};

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * The learned model's probability as a 0–100 score. Factors are each feature's step in the
 * probability, taken in order of weight from the model's baseline, so they add up to the score.
 */
export const learnedScore = (lead: ScorableLead, model: LearnedModel, bands: ScoringConfig['bands']): ScoreResult => {
  const terms = model.features
    .map((feature, i) => {
      const hit = evaluateRule(feature.rule, lead);
      return { reason: hit.reason, value: (model.weights[i] ?? 0) * hit.strength };
    })
    .filter((t) => t.value !== 0)
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  const base = Math.round(sigmoid(model.bias) * 100);
  const factors: ScoreFactor[] = [{ points: base, reason: 'model baseline' }];
  let logit = model.bias;
  let previous = base;
  for (const term of terms) {
    logit += term.value;
    const now = Math.round(sigmoid(logit) * 100);
    if (now !== previous) factors.push({ points: now - previous, reason: term.reason });
    previous = now;
  }
  const score = previous;
  return {
    score,
    band: bandOf(score, bands),
    factors: factors.filter((f) => f.points !== 0).sort(byWeight),
    model: `logreg@${model.version}`,
  };
};

/**
 * The score the lifecycle stores on a lead: the active learned model when there is one, else the
 * points model configured by sales ops.
 */
export const scoreLead = (
  lead: ScorableLead,
  pointsConfig: ScoringConfig,
  activeModel?: LearnedModel | null,
  configVersion = 0,
): ScoreResult =>
  activeModel?.active
    ? learnedScore(lead, activeModel, pointsConfig.bands)
    : pointsScore(lead, pointsConfig, configVersion);

/** Whether a rescore must be announced with `LeadScoreChanged` (the band moved). */
export const bandChanged = (before: { scoreBand?: Band } | undefined, after: ScoreResult): boolean =>
  before?.scoreBand !== undefined && before.scoreBand !== after.band;
