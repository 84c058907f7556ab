import LogisticRegressionTwoClasses from 'ml-logistic-regression/src/logreg_2classes.js';
import { Matrix } from 'ml-matrix';
import type { PointsRule, ScoringConfig } from './points-config';
import { evaluateRule, featureName, type ScorableLead } from './rules';
import { pointsScore } from './score-lead';

/** A lead whose outcome is known: it reached Converted (true) or Disqualified (false). */
export type Outcome = { lead: ScorableLead; converted: boolean };

export type CalibrationBin = { decile: number; count: number; meanPredicted: number; observedRate: number };

/** What `GET /scoring/model` shows. */
export type ModelCard = {
  model: `logreg@${number}`;
  version: number;
  trainedAt: string;
  trainingSize: number;
  /** Rows the fit used (a deterministic sample when the training split is larger). */
  fittedRows: number;
  holdoutSize: number;
  conversions: number;
  disqualifications: number;
  holdoutAuc: number;
  pointsHoldoutAuc: number;
  calibration: CalibrationBin[];
  features: { name: string; weight: number }[];
  bias: number;
  active: boolean;
  /** Why it is (or is not) the active model, in words. */
  decision: string;
  library: string;
};

/** A trained logistic regression on the points rules' features (each rule firing is one feature). */
export type LearnedModel = {
  kind: 'logreg';
  version: number;
  active: boolean;
  bias: number;
  weights: number[];
  features: { name: string; rule: PointsRule }[];
  card: ModelCard;
};

export type TrainOptions = {
  version: number;
  now: Date;
  /** Gradient steps and rate for ml-logistic-regression's batch gradient ascent. */
  steps?: number;
  learningRate?: number;
  /**
   * Most rows the fit uses (a deterministic sample of the training split). The library's gradient
   * step costs ~2 ms per 1,000 rows; a model of a dozen features gains nothing past a few thousand.
   * @default 8000
   */
  maxTrainingRows?: number;
};

/** Area under the ROC curve (Mann–Whitney U, ties counted half). 0.5 when one class is missing. */
export const auc = (scores: readonly number[], labels: readonly boolean[]): number => {
  const order = scores.map((s, i) => ({ s, y: labels[i] === true })).sort((a, b) => a.s - b.s);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j]?.s === order[i]?.s) j++;
    const meanRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++)
      if (order[k]?.y) {
        positives++;
        rankSum += meanRank;
      }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return 0.5;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
};

/** Observed conversion rate against the mean prediction, per tenth of the predictions. */
export const calibrationByDecile = (predicted: readonly number[], labels: readonly boolean[]): CalibrationBin[] => {
  const rows = predicted.map((p, i) => ({ p, y: labels[i] === true })).sort((a, b) => a.p - b.p);
  const bins: CalibrationBin[] = [];
  for (let d = 0; d < 10; d++) {
    const slice = rows.slice(Math.floor((d * rows.length) / 10), Math.floor(((d + 1) * rows.length) / 10));
    if (slice.length === 0) continue;
    const round = (x: number) => Math.round(x * 1000) / 1000;
    bins.push({
      decile: d + 1,
      count: slice.length,
      meanPredicted: round(slice.reduce((s, r) => s + r.p, 0) / slice.length),
      observedRate: round(slice.filter((r) => r.y).length / slice.length),
    });
  }
  return bins;
};

/** Deterministic holdout membership by lead id (FNV-1a), so retraining keeps the same split. */
const hashOf = (id: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
};
export const inHoldout = (leadId: string, fraction: number): boolean => hashOf(leadId) % 10_000 < fraction * 10_000;

/** Every k-th row in hash order: the same sample on every run, both outcomes in their proportion. */
const sampleOf = <T extends Outcome>(rows: readonly T[], max: number): T[] => {
  if (rows.length <= max) return [...rows];
  const step = rows.length / max;
  const byHash = [...rows].sort((a, b) => hashOf(a.lead.id) - hashOf(b.lead.id) || a.lead.id.localeCompare(b.lead.id));
  return Array.from({ length: max }, (_, i) => byHash[Math.floor(i * step)] as T);
};

const featureRow = (lead: ScorableLead, rules: readonly PointsRule[]) =>
  rules.map((rule) => evaluateRule(rule, lead).strength);
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Trains on the outcomes with ml-logistic-regression, measures it and the points model on the same
 * holdout, and decides activation: at least `minConversions` conversions AND a better holdout AUC.
 */
export const trainModel = (
  outcomes: readonly Outcome[],
  config: ScoringConfig,
  options: TrainOptions,
): LearnedModel => {
  const rules = config.rules;
  const train = outcomes.filter((o) => !inHoldout(o.lead.id, config.learned.holdoutFraction));
  const fitRows = sampleOf(train, options.maxTrainingRows ?? 8000);
  const holdout = outcomes.filter((o) => inHoldout(o.lead.id, config.learned.holdoutFraction));
  const conversions = outcomes.filter((o) => o.converted).length;

  let bias = 0;
  let weights = rules.map(() => 0);
  if (fitRows.length > 0 && new Set(fitRows.map((o) => o.converted)).size === 2) {
    // A constant column gives the library's bias-free model an intercept.
    const X = new Matrix(fitRows.map((o) => [1, ...featureRow(o.lead, rules)]));
    const Y = Matrix.columnVector(fitRows.map((o) => (o.converted ? 1 : 0)));
    // The library sums gradients over rows: scale the rate by the row count so it converges at any size.
    // Its two-class model directly: the exported one-vs-all wrapper would fit the same model twice.
    const model = new LogisticRegressionTwoClasses({
      numSteps: options.steps ?? 400,
      learningRate: (options.learningRate ?? 4) / fitRows.length,
    });
    model.train(X, Y);
    const learned = model.weights.to1DArray();
    bias = learned[0] ?? 0;
    weights = rules.map((_, i) => learned[i + 1] ?? 0);
  }

  const predict = (lead: ScorableLead) =>
    sigmoid(featureRow(lead, rules).reduce((z, x, i) => z + x * (weights[i] ?? 0), bias));
  const labels = holdout.map((o) => o.converted);
  const predicted = holdout.map((o) => predict(o.lead));
  const holdoutAuc = auc(predicted, labels);
  const pointsHoldoutAuc = auc(
    holdout.map((o) => pointsScore(o.lead, config).score),
    labels,
  );
  const enough = conversions >= config.learned.minConversions;
  const better = holdoutAuc > pointsHoldoutAuc;
  const active = enough && better;
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  const decision = active
    ? `active: ${conversions} conversions ≥ ${config.learned.minConversions} and holdout AUC ${round(holdoutAuc)} > points ${round(pointsHoldoutAuc)}`
    : !enough
      ? `inactive: ${conversions} conversions < ${config.learned.minConversions} required; the model in use stays`
      : `inactive: holdout AUC ${round(holdoutAuc)} does not beat the points model's ${round(pointsHoldoutAuc)}; the model in use stays`;
  const features = rules.map((rule) => ({ name: featureName(rule), rule }));
  return {
    kind: 'logreg',
    version: options.version,
    active,
    bias,
    weights,
    features,
    card: {
      model: `logreg@${options.version}`,
      version: options.version,
      trainedAt: options.now.toISOString(),
      trainingSize: train.length,
      fittedRows: fitRows.length,
      holdoutSize: holdout.length,
      conversions,
      disqualifications: outcomes.length - conversions,
      holdoutAuc: round(holdoutAuc),
      pointsHoldoutAuc: round(pointsHoldoutAuc),
      calibration: calibrationByDecile(predicted, labels),
      features: features.map((f, i) => ({ name: f.name, weight: round(weights[i] ?? 0) })),
      bias: round(bias),
      active,
      decision,
      library: 'ml-logistic-regression@2 (two-class model)',
    },
  };
};
