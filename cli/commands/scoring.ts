import { Command } from 'commander';
import { apiOption } from '../api-option';
import { tableFor } from './counters';

// Loaded when a command runs, not when `leadflow` starts (the model library and the SDK are heavy).
const scoring = async () => {
  const [config, models, training] = await Promise.all([
    import('../../functions/adapters/config-repository'),
    import('../../functions/adapters/scoring-repository'),
    import('../../functions/core/scoring/training'),
  ]);
  return { ...config, ...models, ...training };
};

const tableOptions = (c: Command) =>
  c
    .addOption(apiOption('the local runtime (to find its table)'))
    .option('--endpoint <url>', 'DynamoDB endpoint (DynamoDB Local); unset on AWS')
    .option('--table <name>', 'table name');

const train = tableOptions(
  new Command('train').description(
    'train the logistic-regression model on Converted vs Disqualified leads; activate it only if it beats the points model',
  ),
)
  .option('--json', 'print the whole model card as JSON', false)
  .action(async (options: { api: string; endpoint?: string; table?: string; json: boolean }) => {
    const { makeConfigRepository, makeScoringRepository, runTraining } = await scoring();
    const { db, table } = await tableFor(options);
    const store = makeScoringRepository(db, table);
    const { card, durationMs } = await runTraining({
      models: store,
      outcomes: store,
      config: makeConfigRepository(db, table),
      clock: { now: () => new Date() },
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(card, null, 2)}\n`);
      return;
    }
    process.stdout.write(
      [
        `${card.model} trained in ${durationMs} ms on ${card.trainingSize} leads (holdout ${card.holdoutSize}; ${card.conversions} converted, ${card.disqualifications} disqualified)`,
        `holdout AUC ${card.holdoutAuc} vs points model ${card.pointsHoldoutAuc}`,
        card.decision,
        '',
      ].join('\n'),
    );
  });

const model = tableOptions(
  new Command('model').description('print the model card (as GET /scoring/model answers it)'),
).action(async (options: { api: string; endpoint?: string; table?: string }) => {
  const { makeConfigRepository, makeScoringRepository, modelCards } = await scoring();
  const { db, table } = await tableFor(options);
  process.stdout.write(
    `${JSON.stringify(await modelCards({ models: makeScoringRepository(db, table), config: makeConfigRepository(db, table) }), null, 2)}\n`,
  );
});

/** `leadflow scoring train` and `leadflow scoring model`. */
export const command = new Command('scoring')
  .description('lead scoring: train the learned model, show its card')
  .addCommand(train)
  .addCommand(model);
