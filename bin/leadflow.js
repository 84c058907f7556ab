#!/usr/bin/env node
// The `leadflow` command: TypeScript sources run through tsx, so no build step stands between an edit and the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);
