import { RUN_DYNAMODB, type RunGlobals } from './dynamodb-global-setup';

export default async function teardown() {
  await (globalThis as RunGlobals)[RUN_DYNAMODB]?.stop();
}
