/**
 * Moves test files written for vitest to jest (the suite's runner), in place:
 *
 *   npx tsx scripts/vitest-to-jest.ts                 # every test/**\/*.ts that imports vitest
 *   npx tsx scripts/vitest-to-jest.ts test/unit/a.test.ts test/e2e/b.test.ts
 *   npx tsx scripts/vitest-to-jest.ts --check         # change nothing; list what would change
 *
 * What it rewrites: `from 'vitest'` → `from '@jest/globals'` (`vi` → `jest`);
 * `inject('dynamodbEndpoint')` → `testDynamoEndpoint()` (test/support/dynamodb-endpoint.ts);
 * `expect.poll(…)` → `expectEventually(…)` and, in files that give `expect` a message as its second
 * argument, `expect` itself → the one from test/support/expect.ts; `.toThrowError(` → `.toThrow(`;
 * `.toHaveBeenCalledOnce()` → `.toHaveBeenCalledTimes(1)`; `describe.sequential` → `describe`
 * (jest runs a file's tests one after another anyway).
 *
 * What it only reports, with file:line, for a person to change (exit status 1): vitest APIs jest has
 * no counterpart for (onTestFinished, expect.soft, toSatisfy, it.for, vi.mock, …), `inject` of
 * another key, hooks that return a value (vitest runs a returned function as the teardown; jest
 * fails on a returned value that is not a promise) and tests or hooks whose arrow body is an
 * assignment (jest fails on the value it returns).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseSync } from '@swc/core';

const ROOT = join(import.meta.dirname, '..');
const SUPPORT = join(ROOT, 'test', 'support');

/** Keep names jest's globals also have; the rest are handled below or reported. */
const SAME_NAME = new Set(['describe', 'it', 'test', 'expect', 'beforeAll', 'beforeEach', 'afterAll', 'afterEach']);

/** Text that has no jest counterpart: a person decides how to express it. */
const UNSUPPORTED: [RegExp, string][] = [
  [/\bonTestFinished\b/, 'onTestFinished: restore in an afterEach, or try/finally in the test'],
  [/\bonTestFailed\b/, 'onTestFailed has no jest counterpart'],
  [/\bexpect\.soft\b/, 'expect.soft has no jest counterpart: one assertion per expect'],
  [/\.toSatisfy\(|expect\.toSatisfy\b/, 'toSatisfy: assert the property directly (e.g. toBeLessThanOrEqual)'],
  [/\.toBeOneOf\(/, 'toBeOneOf: expect([a, b]).toContain(value)'],
  [/\b(it|test|describe)\.(for|skipIf|runIf|extend|todo|fails)\b/, 'vitest-only test modifier'],
  [/\b(it|test|describe)\.concurrent\b/, 'concurrent tests: jest runs them differently; make them sequential'],
  [
    /\bvi\.(mock|doMock|unmock|hoisted|importActual|importMock|stubGlobal|stubEnv|waitFor|waitUntil)\b/,
    'vitest module mocking or helper: no mocks in this suite (house rule)',
  ],
  [/\bexpectTypeOf\b|\bassertType\b/, 'type assertions: let tsc -p . check the types instead'],
  [/\bimport\.meta\.vitest\b/, 'in-source tests are not supported'],
];

type Report = { file: string; line: number; message: string };

const listTestFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTestFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

const importPath = (file: string, target: string) => {
  const path = relative(dirname(file), target).split('\\').join('/');
  return path.startsWith('.') ? path : `./${path}`;
};

// ---- syntax checks (swc's parser; spans are byte offsets into one growing source map) ----

type Node = { type?: string; span?: { start: number; end: number }; [key: string]: unknown };
const isNode = (value: unknown): value is Node => value !== null && typeof value === 'object';

const walk = (node: unknown, visit: (node: Node) => void) => {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
    return;
  }
  if (!isNode(node)) return;
  visit(node);
  for (const [key, child] of Object.entries(node)) if (key !== 'span' && isNode(child)) walk(child, visit);
};

const SENTINEL = '0;\n';

type Syntax = { expectWithMessage: boolean; problems: { index: number; message: string }[] };

const checkSyntax = (source: string): Syntax => {
  const module = parseSync(SENTINEL + source, { syntax: 'typescript', target: 'es2022' }) as unknown as {
    body: Node[];
  };
  const first = module.body[0]?.span?.start ?? 0;
  const bytes = Buffer.from(SENTINEL + source);
  const indexOf = (span: { start: number } | undefined) =>
    span ? bytes.subarray(SENTINEL.length, span.start - first).toString().length : 0;
  const result: Syntax = { expectWithMessage: false, problems: [] };
  const calleeName = (callee: unknown): string | undefined => {
    if (!isNode(callee)) return undefined;
    if (callee.type === 'Identifier') return callee.value as string;
    if (callee.type === 'MemberExpression') return calleeName(callee.object);
    return undefined;
  };
  walk(module.body, (node) => {
    if (node.type !== 'CallExpression') return;
    const name = calleeName(node.callee);
    const args = (node.arguments as { expression: Node }[]).map((a) => a.expression);
    if (name === 'expect' && isNode(node.callee) && node.callee.type === 'Identifier' && args.length > 1)
      result.expectWithMessage = true;
    const isHook = name === 'beforeAll' || name === 'beforeEach' || name === 'afterAll' || name === 'afterEach';
    const isTest = name === 'it' || name === 'test';
    if (!isHook && !isTest) return;
    const fn = isHook
      ? args[0]
      : args.find((a) => a.type === 'ArrowFunctionExpression' || a.type === 'FunctionExpression');
    if (!fn || (fn.type !== 'ArrowFunctionExpression' && fn.type !== 'FunctionExpression')) return;
    const body = fn.body as Node;
    if (body.type === 'BlockStatement' || body.type === 'FunctionBody') {
      if (!(name === 'beforeAll' || name === 'beforeEach')) return;
      for (const statement of body.stmts as Node[]) {
        if (statement.type === 'ReturnStatement' && statement.argument) {
          result.problems.push({
            index: indexOf(statement.span),
            message: `${name} returns a value: vitest ran a returned function as the teardown; move it to ${name === 'beforeAll' ? 'afterAll' : 'afterEach'}`,
          });
        }
      }
      return;
    }
    if (
      body.type === 'AssignmentExpression' ||
      (body.type === 'ParenthesisExpression' &&
        isNode(body.expression) &&
        body.expression.type === 'AssignmentExpression')
    ) {
      result.problems.push({
        index: indexOf(fn.span),
        message: `${name}'s arrow returns an assignment's value, which jest rejects: use a block body`,
      });
    } else if (isHook && !fn.async) {
      const why = name.startsWith('before') ? 'vitest ran a returned function as the teardown and ' : '';
      result.problems.push({
        index: indexOf(fn.span),
        message: `${name}'s arrow returns its expression's value: ${why}jest fails on any value but a promise or undefined; use a block body`,
      });
    }
  });
  return result;
};

// ---- text rewrites ----

const VITEST_IMPORT = /^import\s*\{([^}]*)\}\s*from\s*'vitest';?[ \t]*$/m;

const addImport = (source: string, after: string, path: string, names: string[]): string => {
  if (names.length === 0) return source;
  const existing = new RegExp(
    `^import\\s*\\{([^}]*)\\}\\s*from\\s*'${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}';?[ \\t]*$`,
    'm',
  );
  const found = existing.exec(source);
  if (found) {
    const merged = [
      ...new Set([
        ...(found[1] ?? '')
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean),
        ...names,
      ]),
    ].sort((a, b) => a.localeCompare(b));
    return source.replace(existing, `import { ${merged.join(', ')} } from '${path}';`);
  }
  const line = `import { ${[...names].sort((a, b) => a.localeCompare(b)).join(', ')} } from '${path}';`;
  return source.replace(after, `${after}\n${line}`);
};

const convert = (file: string, source: string): { text: string; reports: Report[] } => {
  const reports: Report[] = [];
  const report = (index: number, message: string) =>
    reports.push({ file: relative(ROOT, file), line: lineAt(source, index), message });

  const match = VITEST_IMPORT.exec(source);
  if (!match) {
    if (/from\s*'vitest(\/[^']*)?'/.test(source) || /declare module 'vitest'/.test(source))
      report(
        source.search(/vitest/),
        "a vitest import this script does not handle (type imports, 'vitest/…', module augmentation)",
      );
    return { text: source, reports };
  }

  const syntax = checkSyntax(source);
  for (const problem of syntax.problems) report(problem.index, problem.message);
  for (const [pattern, message] of UNSUPPORTED) {
    const global = new RegExp(pattern.source, 'g');
    for (const hit of source.matchAll(global)) report(hit.index ?? 0, message);
  }
  for (const hit of source.matchAll(/\binject\(\s*'([^']+)'\s*\)/g))
    if (hit[1] !== 'dynamodbEndpoint')
      report(hit.index ?? 0, `inject('${hit[1]}'): only dynamodbEndpoint has a jest counterpart (testDynamoEndpoint)`);

  const names = (match[1] ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const globals = new Set<string>();
  const supportExpect = new Set<string>();
  let needsEndpoint = false;
  for (const name of names) {
    if (name.startsWith('type ')) {
      report(match.index, `type import ${name.slice(5)} from vitest: use jest's type or drop it`);
      continue;
    }
    if (name === 'vi') globals.add('jest');
    else if (name === 'inject') needsEndpoint = true;
    else if (name === 'expect' && syntax.expectWithMessage) supportExpect.add('expect');
    else if (SAME_NAME.has(name)) globals.add(name);
    else if (!UNSUPPORTED.some(([pattern]) => pattern.test(name)))
      report(match.index, `${name} from vitest has no known jest counterpart`);
  }

  let text = source;
  if (/\bexpect\.poll\(/.test(text)) {
    text = text.replace(/\bexpect\.poll\(/g, 'expectEventually(');
    supportExpect.add('expectEventually');
    if (!/\bexpect\b(?!Eventually)/.test(text.replace(VITEST_IMPORT, ''))) globals.delete('expect');
  }
  if (needsEndpoint) text = text.replace(/\binject\(\s*'dynamodbEndpoint'\s*\)/g, 'testDynamoEndpoint()');
  if (globals.has('jest')) text = text.replace(/\bvi\./g, 'jest.');
  text = text
    .replace(/\.toThrowError\(/g, '.toThrow(')
    .replace(/\.toHaveBeenCalledOnce\(\)/g, '.toHaveBeenCalledTimes(1)')
    .replace(/\bdescribe\.sequential\(/g, 'describe(');

  const sorted = [...globals].sort((a, b) => a.localeCompare(b));
  const jestImport = sorted.length > 0 ? `import { ${sorted.join(', ')} } from '@jest/globals';` : '';
  const vitestLine = VITEST_IMPORT.exec(text)?.[0] ?? '';
  text = text.replace(vitestLine, jestImport || '__VITEST_TO_JEST__');
  const anchor = jestImport || '__VITEST_TO_JEST__';
  // Each lands right after the jest import, so the last added comes first: alphabetical by path.
  text = addImport(text, anchor, importPath(file, join(SUPPORT, 'expect')), [...supportExpect]);
  if (needsEndpoint)
    text = addImport(text, anchor, importPath(file, join(SUPPORT, 'dynamodb-endpoint')), ['testDynamoEndpoint']);
  text = text.replace(/^__VITEST_TO_JEST__\n/m, '');

  if (/\bvitest\b/.test(text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')))
    report(text.search(/\bvitest\b/), 'vitest is still named here');
  return { text, reports };
};

const args = process.argv.slice(2);
const check = args.includes('--check');
const files = args.filter((a) => a !== '--check').map((a) => resolve(a));
const targets = files.length > 0 ? files : listTestFiles(join(ROOT, 'test'));

const reports: Report[] = [];
let changed = 0;
for (const file of targets) {
  const source = readFileSync(file, 'utf8');
  const result = convert(file, source);
  reports.push(...result.reports);
  if (result.text !== source) {
    changed++;
    if (!check) writeFileSync(file, result.text);
    console.log(`${check ? 'would convert' : 'converted'} ${relative(ROOT, file)}`);
  }
}
for (const r of reports) console.error(`${r.file}:${r.line}: ${r.message}`);
console.log(`${changed} file(s) ${check ? 'to convert' : 'converted'}; ${reports.length} place(s) to change by hand`);
process.exitCode = reports.length > 0 ? 1 : 0;
