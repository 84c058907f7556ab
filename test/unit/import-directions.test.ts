import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from '@jest/globals';

/**
 * The rooms of the tree, checked on the source text: `functions/core` is pure domain, handlers see
 * ports (never adapters, not even their types), and `lib/` builds infrastructure from shared names
 * only. A violation names the file and the import, so the fix is obvious.
 */

const ROOT = resolve(import.meta.dirname, '../..');

const tsFiles = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });

type Import = { specifier: string; typeOnly: boolean; target?: string };

/** Every static import/export-from, side-effect import and dynamic import(), with comments removed. */
const importsOf = (file: string, text: string): Import[] => {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const found: Import[] = [];
  const add = (specifier: string, typeOnly: boolean) =>
    found.push({
      specifier,
      typeOnly,
      target: specifier.startsWith('.')
        ? relative(ROOT, resolve(ROOT, dirname(file), specifier))
            .split(sep)
            .join('/')
        : undefined,
    });
  for (const m of code.matchAll(/\b(import|export)(\s+type)?\s+([^;'"]*?)\s*from\s*['"]([^'"]+)['"]/g)) {
    const names = m[3] ?? '';
    // `import { type A, type B } from` erases as completely as `import type`.
    const allTyped =
      /^\{[^}]*\}$/.test(names.trim()) &&
      names
        .replace(/[{}\s]/g, '')
        .split(',')
        .filter(Boolean)
        .every((n) => n.startsWith('type'));
    add(m[4] ?? '', Boolean(m[2]) || allTyped);
  }
  for (const m of code.matchAll(/\bimport\s*['"]([^'"]+)['"]/g)) add(m[1] ?? '', false);
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) add(m[1] ?? '', false);
  return found;
};

const HANDLER_FOLDERS = new Set(
  readdirSync(join(ROOT, 'functions'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !['core', 'adapters', 'http', 'env'].includes(d.name))
    .map((d) => d.name),
);

const under = (target: string | undefined, prefix: string) =>
  target !== undefined && (target === prefix || target.startsWith(`${prefix}/`));
const isHandlerFolder = (target: string | undefined) =>
  target?.startsWith('functions/') && HANDLER_FOLDERS.has(target.split('/')[1] ?? '');

/** Names the stack shares with the runtime: defined once in `functions/`, read by `lib/`. */
const LIB_MAY_IMPORT = [
  'functions/core',
  'functions/env',
  'functions/routes',
  'functions/adapters/table-definition',
  'functions/http/auth',
  'functions/http/cors',
];

type Rule = { name: string; applies: (file: string) => boolean; refuses: (i: Import) => boolean };

const RULES: Rule[] = [
  {
    name: 'functions/core imports no adapter, http, handler, env, lib, local or AWS package',
    applies: (f) => f.startsWith('functions/core/'),
    refuses: (i) =>
      ['functions/adapters', 'functions/http', 'functions/env', 'lib', 'local'].some((p) => under(i.target, p)) ||
      Boolean(isHandlerFolder(i.target)) ||
      /^(@aws-sdk\/|aws-cdk|aws-cdk-lib|constructs$|@aws-lambda-powertools\/|@middy\/)/.test(i.specifier),
  },
  {
    name: 'a handler imports no adapter module, not even its types (only index.ts wires adapters)',
    applies: (f) => /^functions\/[^/]+\/handler\.ts$/.test(f),
    refuses: (i) => under(i.target, 'functions/adapters') || /^@aws-sdk\//.test(i.specifier),
  },
  {
    name: 'an adapter imports no handler module (ports come from core)',
    applies: (f) => f.startsWith('functions/adapters/'),
    refuses: (i) => Boolean(isHandlerFolder(i.target)),
  },
  {
    name: 'lib imports only shared names from functions/ (no adapter or handler code)',
    applies: (f) => f.startsWith('lib/'),
    refuses: (i) =>
      (under(i.target, 'functions') && !LIB_MAY_IMPORT.some((p) => under(i.target, p))) || under(i.target, 'local'),
  },
];

const violations = (rule: Rule) =>
  ['functions', 'lib']
    .flatMap(tsFiles)
    .map((f) => f.split(sep).join('/'))
    .filter(rule.applies)
    .flatMap((file) =>
      importsOf(file, readFileSync(join(ROOT, file), 'utf8'))
        .filter(rule.refuses)
        .map((i) => `${file} imports '${i.specifier}'`),
    );

/**
 * Functions read their environment only through functions/env, which parses exactly the variables of
 * their declared needs: so locally, where one process holds every variable, a function still sees only
 * its own, and one that uses a need missing from routes.ts fails here as it would on AWS.
 */
const readsOfProcessEnv = () =>
  tsFiles('functions')
    .filter((file) => !file.startsWith(`functions${sep}env${sep}`))
    .flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\bprocess\.env\b/.test(line.replace(/\/\/.*$/, '')) ? [`${file}:${i + 1}`] : [])),
    );

describe('import directions', () => {
  it('reads the environment only through functions/env, never process.env in a function', () => {
    expect(readsOfProcessEnv()).toEqual([]);
  });

  for (const rule of RULES) {
    it(rule.name, () => {
      expect(violations(rule)).toEqual([]);
    });
  }

  it('reads every form of import the rules rely on, including types and dynamic imports', () => {
    const text = [
      "import type { A } from '../adapters/a';",
      "import { type B, type C } from '../adapters/b';",
      "import {\n  D,\n  E,\n} from '../adapters/c';",
      "export { F } from '../adapters/d';",
      "import '../adapters/e';",
      "const g = await import('../adapters/f');",
      "// import { H } from '../adapters/commented-out';",
    ].join('\n');
    const found = importsOf('functions/x/handler.ts', text);
    expect(found.map((i) => [i.target, i.typeOnly])).toEqual([
      ['functions/adapters/a', true],
      ['functions/adapters/b', true],
      ['functions/adapters/c', false],
      ['functions/adapters/d', false],
      ['functions/adapters/e', false],
      ['functions/adapters/f', false],
    ]);
    expect(found.filter(RULES[1]?.refuses ?? (() => false))).toHaveLength(6);
  });
});
