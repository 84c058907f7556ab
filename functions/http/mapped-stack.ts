import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Readable stack traces without `--enable-source-maps`: that flag makes Node parse each bundle's
 * source map when the bundle loads (11–16 % of a function's cold init), for the rare invocation that
 * fails. Instead, a failing invocation's stack is mapped here, reading `<bundle>.map` on the first
 * error only. Frames in files without a map (or already mapped, when the flag is on) stay as they are.
 */
const maps = new Map<string, SourceMap | null>();

const mapOf = (file: string): SourceMap | null => {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return map;
};

/** A frame's location `file:///var/task/index.mjs:1:2345` (or a plain path) in a bundle. */
const FRAME = /((?:file:\/\/)?\/[^\s():]+\.m?js):(\d+):(\d+)/g;

/** `stack` with each bundle position replaced by its source file, line and column (relative, as the map names it). */
export const mapStack = (stack: string): string => {
  if (process.sourceMapsEnabled) return stack;
  return stack.replace(FRAME, (whole, file: string, line: string, column: string) => {
    const map = mapOf(file.startsWith('file://') ? fileURLToPath(file) : file);
    const entry = map?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry) || !entry.originalSource) return whole;
    return `${entry.originalSource}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
};

/** Maps an error's stack in place (what the logger and the Lambda runtime print); anything else passes. */
export const mapErrorStack = (error: unknown): void => {
  if (error instanceof Error && typeof error.stack === 'string') error.stack = mapStack(error.stack);
};
