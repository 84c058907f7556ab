import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';
import { mapStack } from '../../functions/http/mapped-stack';

describe('stacks of a bundled function without --enable-source-maps', () => {
  it('name the source file and line from the bundle map, and leave frames without a map alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapped-stack-'));
    writeFileSync(
      join(dir, 'step.ts'),
      "export const step = (n: number) => {\n  if (n > 0) throw new Error('boom');\n  return n;\n};\n",
    );
    // Bundled as lib/leadflow-function.ts bundles: ESM, minified, source map without sources.
    const outfile = join(dir, 'out', 'index.mjs');
    await build({
      entryPoints: [join(dir, 'step.ts')],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      logLevel: 'silent',
    });
    // Where the bundle throws: one minified line; the frame as Node prints it.
    const code = readFileSync(outfile, 'utf8');
    const column = code.indexOf('throw') + 1;
    expect(code.split('\n')[0]?.length).toBeGreaterThan(column);
    const stack = `Error: boom\n    at o (${pathToFileURL(outfile).href}:1:${column})\n    at run (/var/runtime/index.mjs:3:7)`;

    const mapped = mapStack(stack);
    expect(mapped).toContain('at o (../step.ts:2:');
    expect(mapped).toContain('at run (/var/runtime/index.mjs:3:7)');
    expect(mapped.split('\n')[0]).toBe('Error: boom');
  });
});
