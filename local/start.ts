import { startLocalRuntime } from './runtime';

/** `npm start`: leadflow on this machine until Ctrl-C. */
const started = Date.now();
const runtime = await startLocalRuntime({ log: (line) => console.error(line) });
const ms = Date.now() - started;
console.log(`leadflow is running at ${runtime.url} (ready in ${ms} ms)`);
console.log(`  health:      ${runtime.url}/health`);
console.log(`  bus log:     ${runtime.url}/_local/events`);
console.log(`  workflow:    ${runtime.stateMachineArn}`);
console.log(
  `  AWS CLI:     aws --endpoint-url ${runtime.url} --region local stepfunctions list-executions --state-machine-arn ${runtime.stateMachineArn}`,
);
console.log(
  `  data:        ${process.env.LEADFLOW_DATA_DIR ? `on disk in ${process.env.LEADFLOW_DATA_DIR}` : 'in memory (set LEADFLOW_DATA_DIR to keep it)'}`,
);
console.log('  webhook secrets (local development only):');
for (const [source, secret] of Object.entries(runtime.webhookSecrets)) console.log(`    ${source}: ${secret}`);
console.log('  a token:     npx leadflow token --user alice --groups rep');

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping leadflow…`);
  await runtime.stop();
  console.log('stopped cleanly');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
