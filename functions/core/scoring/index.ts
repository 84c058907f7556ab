export { DEFAULT_SCORING, scoringConfig, type Band, type PointsRule, type ScoringConfig } from './points-config';
export { bandChanged, describeFactor, scoreLead, topFactors, type ScoreResult } from './score-lead';
export type { LearnedModel, ModelCard, Outcome } from './learned-model';
