import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { FUNCTIONS } from '../../functions/routes';
import { buildApp } from './stack-fixture';

type Report = {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; severity?: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
};

/**
 * The one real synth of the suite, as `npx cdk synth` runs it: esbuild bundling of every function
 * and cdk-nag's AWS Solutions checks. (The CDK's own CloudFormation schema validation, which `cdk synth`
 * also runs, is left out here: loading its schemas alone takes ~20 s.)
 */
const realSynth = () => {
  const started = performance.now();
  const { app, stack, outdir } = buildApp({ nag: true, bundle: true });
  let failure: Error | undefined;
  try {
    app.synth();
  } catch (error) {
    failure = error as Error;
  }
  const seconds = (performance.now() - started) / 1000;
  const reportFile = join(outdir, 'validation-report.json');
  const report: Report = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : { pluginReports: [] };
  return { stack, failure, report, outdir, seconds };
};

describe('a real synth (bundled, cdk-nag AWS Solutions)', () => {
  const { stack, failure, report, outdir, seconds } = realSynth();

  it('finds no unacknowledged cdk-nag error', () => {
    const errors = report.pluginReports.flatMap((p) =>
      p.violations
        .filter((v) => (v.severity ?? 'error') === 'error' || v.severity === 'fatal')
        .flatMap((v) => v.violatingConstructs.map((c) => `${p.pluginName} ${v.ruleName} at ${c.constructPath}`)),
    );
    expect(errors).toEqual([]);
    expect(failure?.message).toBeUndefined();
    console.info(`real synth: ${seconds.toFixed(1)} s`);
  });

  it('gives every cdk-nag acknowledgement a real reason', () => {
    const acknowledgements = stack.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .map((m) => ({ path: c.node.path, data: m.data })),
      );
    let ours = 0;
    for (const { path, data } of acknowledgements) {
      // Entries are { "<plugin>::<rule id>": reason }; the CDK records its own (CloudFormation-Validate::…).
      for (const [id, reason] of Object.entries(data as Record<string, string>)) {
        if (!id.includes('AwsSolutions-')) continue;
        ours += 1;
        expect(String(reason).length, `${path} ${id}`).toBeGreaterThanOrEqual(40);
        expect(reason, `${path} ${id}`).not.toMatch(/^(todo|n\/a|none|ok|fine|suppressed)\b/i);
      }
    }
    expect(ours).toBeGreaterThan(0);
  });

  it('bundles every function as minified ESM with a source map and the require shim', () => {
    const template = JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.template.json`), 'utf8')) as {
      Resources: Record<string, { Properties?: { Code?: { S3Key?: string } } }>;
    };
    for (const name of Object.keys(FUNCTIONS)) {
      const fn = stack.functions[name];
      if (!fn) throw new Error(name);
      const resource = template.Resources[stack.getLogicalId(fn.fn.node.defaultChild as never)];
      const key = resource?.Properties?.Code?.S3Key;
      expect(key, name).toMatch(/^[0-9a-f]{64}\.zip$/);
      const dir = join(outdir, `asset.${key?.replace(/\.zip$/, '')}`);
      const files = readdirSync(dir);
      // Besides the bundle, exactly the files the function asks to carry (the quote PDF's fonts).
      const carried = (FUNCTIONS[name as keyof typeof FUNCTIONS].bundleFiles ?? []).map((f) => f.split('/').pop());
      expect(files.sort(), name).toEqual(['index.mjs', 'index.mjs.map', ...carried].sort());
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith("import { createRequire as __leadflowCreateRequire } from 'node:module'"), name).toBe(
        true,
      );
      // Minified: long lines (a readable bundle averages well under 100 characters a line).
      expect(code.length / code.split('\n').length, `${name} is minified`).toBeGreaterThan(1000);
      console.info(`${name}: ${(statSync(join(dir, 'index.mjs')).size / 1024).toFixed(0)} KiB`);
    }
  });
});
