#!/usr/bin/env node
// The `leadflow` command. It runs the compiled bundle (`npm run build:cli`, done by `npm ci`) when
// that is newer than every source it was built from, and the TypeScript sources through tsx
// otherwise, so an edit is never shadowed by a stale build.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist/cli/leadflow.mjs');

const freshBundle = () => {
  try {
    const built = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(readFileSync(join(root, 'dist/cli/inputs.json'), 'utf8'));
    return inputs.every((file) => statSync(join(root, file)).mtimeMs <= built);
  } catch {
    return false;
  }
};

let main;
if (freshBundle()) ({ main } = await import(bundle));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv);
