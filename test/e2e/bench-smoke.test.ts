import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from '@jest/globals';
import { testDynamoEndpoint } from '../support/dynamodb-endpoint';
import { expect } from '../support/expect';

const run = promisify(execFile);

/**
 * The bench is not a test and its figures are never asserted; this only checks that `npm run bench`
 * still runs end to end (on toy sizes) and writes every section.
 */
describe('npm run bench (tiny sizes)', () => {
  it('runs every section and writes results.json with figures for each', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-smoke-')), 'results.json');

    await run(process.execPath, ['--import', 'tsx', 'bench/run.ts'], {
      env: { ...process.env, BENCH_SCALE: 'tiny', BENCH_OUT: out, BENCH_DYNAMODB_ENDPOINT: testDynamoEndpoint() },
      timeout: 110_000,
      maxBuffer: 16 * 1024 * 1024,
    });

    const results = JSON.parse(readFileSync(out, 'utf8'));
    expect(results.benchScale).toBe('tiny');
    for (const section of ['scale', 'capture', 'roundTrips', 'workflowCost', 'functions', 'import'])
      expect(results[section]?.error, section).toBeUndefined();
    expect(results.capture.map((l: { concurrency: number }) => l.concurrency)).toEqual([1, 8, 32]);
    expect(
      results.capture.every(
        (l: { capture: { perSecond: number }; putItem: { perSecond: number } }) =>
          l.capture.perSecond > 0 && l.putItem.perSecond > 0,
      ),
    ).toBe(true);
    expect(results.roundTrips.shapes.length).toBeGreaterThan(0);
    expect(results.scale.ratios.duplicateCheckP50).toBeGreaterThan(0);
    expect(results.functions.functions.length).toBeGreaterThan(0);
  }, 120_000);
});
