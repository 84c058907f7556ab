import { describe, expect, it } from '@jest/globals';
import { heapGrowthFlags, IMPORT_HEAP_GROWING_PERCENT } from '../../cli/import/heap-growth';

describe('leadflow import bounds V8 heap growth unless the user chose it', () => {
  it('sets a fixed growth when node runs with no heap flags', () => {
    expect(heapGrowthFlags([], '')).toBe(
      `--heap-growing-percent=${IMPORT_HEAP_GROWING_PERCENT} --semi-space-growth-factor=1`,
    );
    expect(heapGrowthFlags(['--enable-source-maps'], '--max-old-space-size=4096')).toBe(
      `--heap-growing-percent=${IMPORT_HEAP_GROWING_PERCENT} --semi-space-growth-factor=1`,
    );
  });

  it.each([
    [['--heap-growing-percent=20'], ''],
    [[], '--trace-gc --heap_growing_percent=300'],
    [['--optimize-for-size'], ''],
    [[], '--max-semi-space-size=8'],
  ])('leaves V8 alone when node was started with %j / NODE_OPTIONS %j', (execArgv, nodeOptions) => {
    expect(heapGrowthFlags(execArgv, nodeOptions)).toBeUndefined();
  });
});
