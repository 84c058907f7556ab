import { runTraining, type TrainingDeps } from '../core/scoring/training';
import { logger } from '../http/observability';

/**
 * The scheduled trainer (EventBridge Scheduler on AWS): trains on every known outcome, stores the
 * model as a new version and activates it only if it beats the points model with enough outcomes.
 */
export const makeScoringTrainHandler = (deps: TrainingDeps) => async () => {
  const { card, durationMs, previousActive } = await runTraining(deps);
  logger.info('scoring model trained', {
    model: card.model,
    active: card.active,
    decision: card.decision,
    trainingSize: card.trainingSize,
    holdoutAuc: card.holdoutAuc,
    pointsHoldoutAuc: card.pointsHoldoutAuc,
    previousActive,
    durationMs,
  });
  return { model: card.model, active: card.active, decision: card.decision, holdoutAuc: card.holdoutAuc, durationMs };
};
