import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { LINT_REASONS_KEY } from '../../lib/cfn-lint';
import { buildApp } from './stack-fixture';

/**
 * AWS's CloudFormation linter on what `cdk deploy` would send: every template of the app, synthesized
 * as bin/app.ts builds it (bundling skipped: assets do not change what cfn-lint checks).
 */
const CFN_LINT = process.env.CFN_LINT ?? 'cfn-lint';
const INSTALL_HINT = `cfn-lint (AWS's CloudFormation linter, 1.x) is needed to check the templates and was not found as "${CFN_LINT}". Install it with \`pip install cfn-lint\` (or point CFN_LINT at it).`;

type Finding = { file: string; line: string; rule: string; message: string };

/**
 * `cfn-lint -f parseable` prints `file:line:col:endLine:endCol:rule:message`, one finding a line. One
 * run for all files: its start-up (loading the resource specs) is most of its time.
 */
const lint = (files: string[]): Finding[] => {
  const run = spawnSync(CFN_LINT, ['-f', 'parseable', ...files], { encoding: 'utf8', timeout: 120_000 });
  if (run.error) throw new Error(`${INSTALL_HINT} (${run.error.message})`);
  // Exit codes are a bit mask of the levels found (2 error, 4 warning, 8 informational); 1 means it failed itself.
  if (run.status === 1 || (run.status !== 0 && run.stdout.trim() === ''))
    throw new Error(`cfn-lint failed on ${files.join(', ')} (exit ${run.status}): ${run.stderr}`);
  return run.stdout
    .split('\n')
    .filter(Boolean)
    .map((text) => {
      const match = /^(.*):(\d+):\d+:\d+:\d+:([EWI]\d+):(.*)$/.exec(text);
      if (!match) throw new Error(`cannot read cfn-lint's line: ${text}`);
      const [, path = '', line = '', rule = '', message = ''] = match;
      return { file: path, line, rule, message };
    });
};

const writeTemplate = (name: string, template: unknown) => {
  const file = join(mkdtempSync(join(tmpdir(), 'leadflow-cfn-lint-')), `${name}.template.json`);
  writeFileSync(file, JSON.stringify(template, null, 1));
  return file;
};

/** A built console, so the template always holds its publishing resources, whatever ran before. */
const consoleDist = () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-console-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>leadflow</title>');
  return dir;
};

describe('cfn-lint on the synthesized templates', () => {
  const { app } = buildApp({ context: { consoleDist: consoleDist() } });
  const stacks = app.synth().stacks;
  const knownBad = writeTemplate('known-bad', {
    Resources: {
      Queue: { Type: 'AWS::SQS::Queue' },
      Other: {
        Type: 'AWS::SQS::Queue',
        DependsOn: ['Queue'],
        Properties: { QueueName: { 'Fn::GetAtt': ['Queue', 'QueueName'] } },
      },
    },
  });
  const files = new Map(stacks.map((s) => [s.stackName, writeTemplate(s.stackName, s.template)]));
  let findings: Finding[] | undefined;
  const findingsIn = (file: string) => {
    findings ??= lint([knownBad, ...files.values()]);
    return findings.filter((f) => f.file === file);
  };

  it('finds what it should in a template known to be wrong (the linter runs and its lines are read)', () => {
    expect(findingsIn(knownBad).map((f) => f.rule)).toContain('W3005');
  });

  it.each(stacks.map((s) => [s.stackName] as const))('%s: no error and no warning', (name) => {
    expect(findingsIn(files.get(name) ?? '').map((f) => `${f.rule} line ${f.line}: ${f.message}`)).toEqual([]);
  });

  it('says why for every check a resource skips', () => {
    for (const stack of stacks) {
      const resources = (stack.template as { Resources: Record<string, { Metadata?: Record<string, unknown> }> })
        .Resources;
      for (const [logicalId, resource] of Object.entries(resources)) {
        const skipped = ((resource.Metadata?.['cfn-lint'] as { config?: { ignore_checks?: string[] } } | undefined)
          ?.config?.ignore_checks ?? []) as string[];
        const reasons = (resource.Metadata?.[LINT_REASONS_KEY] ?? {}) as Record<string, string>;
        for (const check of skipped)
          expect(reasons[check]?.length ?? 0, `${stack.stackName} ${logicalId} skips ${check}`).toBeGreaterThanOrEqual(
            40,
          );
      }
    }
  });
});
