import { type ConfigStore, readConfig } from '../config/config-document';
import type { Clock } from '../ports';
import { type LearnedModel, type ModelCard, type Outcome, trainModel } from './learned-model';
import { scoringConfig } from './points-config';

/** Where trained models live: every version kept, the active one readable in one get. */
export type ModelStore = {
  latest(): Promise<LearnedModel | undefined>;
  active(): Promise<LearnedModel | undefined>;
  /** Stores a new version; when it is active it becomes the model leads are scored with. */
  save(model: LearnedModel): Promise<void>;
};

/** Leads with a known outcome (Converted or Disqualified), read through the stage index. */
export type OutcomeSource = { outcomes(limit: number): Promise<Outcome[]> };

export type TrainingDeps = { models: ModelStore; outcomes: OutcomeSource; config: ConfigStore; clock: Clock };

export const MAX_TRAINING_OUTCOMES = 200_000;

/**
 * One training run (`npx leadflow scoring train`, and the scheduled `scoringTrain`): outcomes →
 * model → stored as the next version; it replaces the active model only if it earned it.
 */
export const runTraining = async (
  deps: TrainingDeps,
): Promise<{ card: ModelCard; durationMs: number; previousActive?: string }> => {
  const started = Date.now();
  const [config, outcomes, latest, active] = await Promise.all([
    readConfig(deps.config, scoringConfig),
    deps.outcomes.outcomes(MAX_TRAINING_OUTCOMES),
    deps.models.latest(),
    deps.models.active(),
  ]);
  const model = trainModel(outcomes, config.value, { version: (latest?.version ?? 0) + 1, now: deps.clock.now() });
  await deps.models.save(model);
  return { card: model.card, durationMs: Date.now() - started, previousActive: active?.card.model };
};

/** What `GET /scoring/model` answers: the model leads are scored with now, and the latest trained. */
export const modelCards = async (deps: Pick<TrainingDeps, 'models' | 'config'>) => {
  const [config, latest, active] = await Promise.all([
    readConfig(deps.config, scoringConfig),
    deps.models.latest(),
    deps.models.active(),
  ]);
  return {
    scoring: active ? active.card.model : `points@${config.version}`,
    points: {
      model: `points@${config.version}`,
      rules: config.value.rules.length,
      bands: config.value.bands,
      learned: config.value.learned,
    },
    active: active?.card ?? null,
    latest: latest?.card ?? null,
  };
};
