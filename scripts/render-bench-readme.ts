/**
 * `npm run bench:readme [results.json]`: rewrites the README's bench regions (`<!-- bench:NAME -->`)
 * from a bench results file (default bench/results.json), so its performance tables are never edited
 * by hand. Regions whose section the file lacks (e.g. a `BENCH_SECTIONS` run) are kept and listed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReadme } from '../bench/readme-tables';

const root = join(import.meta.dirname, '..');
const resultsFile = process.argv[2] ?? join(root, 'bench', 'results.json');
const readmeFile = join(root, 'README.md');
const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, unknown>;
const { text, rendered, kept } = renderReadme(readFileSync(readmeFile, 'utf8'), results);
writeFileSync(readmeFile, text);
console.log(
  `README.md: rendered ${rendered.join(', ') || 'nothing'} from ${resultsFile} (taken ${String(results.takenAt)})${kept.length ? `; kept ${kept.join(', ')} (not in these results)` : ''}`,
);
