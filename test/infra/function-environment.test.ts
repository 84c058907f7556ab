import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { environmentFor, functionEnv, needVariables, variablesFor } from '../../functions/env/function-env';
import { FUNCTIONS, type FunctionName } from '../../functions/routes';
import type { LeadflowStack } from '../../lib/leadflow-stack';
import { buildApp } from './stack-fixture';

/** Set on every function by the house function construct, never read through functions/env. */
const HOUSE_WIDE = /^(NODE_OPTIONS|POWERTOOLS_.+)$/;

let stack: LeadflowStack;
let variables: Record<string, Record<string, unknown>>;

beforeAll(() => {
  // The optional email settings configured, so every variable a need can set is set.
  ({ stack } = buildApp({ context: { emailFrom: 'leadflow@example.com', notifyEmailDomain: 'example.com' } }));
  const template = Template.fromStack(stack);
  const lambdas = template.findResources('AWS::Lambda::Function') as Record<
    string,
    { Properties?: { Environment?: { Variables?: Record<string, unknown> } } }
  >;
  variables = {};
  for (const name of Object.keys(FUNCTIONS)) {
    const fn = stack.functions[name];
    if (!fn) continue;
    const id = stack.getLogicalId(fn.fn.node.defaultChild as CfnFunction);
    variables[name] = lambdas[id]?.Properties?.Environment?.Variables ?? {};
  }
  // A synth on a busy machine takes longer than the default hook timeout.
}, 120_000);

describe('the stack and functions/env agree on every variable', () => {
  it("sets on each Lambda exactly the variables environmentFor gives it: its needs', house-wide and its own settings", () => {
    expect(Object.keys(variables).length).toBeGreaterThan(0);
    for (const [name, env] of Object.entries(variables)) {
      const fn = name as FunctionName;
      const set = Object.keys(env).filter((k) => !HOUSE_WIDE.test(k));
      const asStrings = Object.fromEntries(set.map((k) => [k, 'x']));
      // Nothing set that the function does not parse…
      expect(Object.keys(environmentFor(fn, asStrings)).sort(), fn).toEqual(set.sort());
      // …and every variable its needs imply is set.
      for (const v of needVariables(fn)) expect(set, `${fn} lacks ${v}`).toContain(v);
      // What the stack sets is never a local-only variable.
      expect(
        set.filter((v) => v.endsWith('_ENDPOINT') || v === 'LEADFLOW_MODE'),
        fn,
      ).toEqual([]);
      expect(variablesFor(fn)).toEqual(expect.arrayContaining(set));
    }
  });

  it("lets every function parse the environment the stack gives it (tokens standing for the stack's values)", () => {
    for (const [name, env] of Object.entries(variables)) {
      const values = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : 'token']));
      if (values.WEBHOOK_SECRET_GRACE_SECONDS === 'token') values.WEBHOOK_SECRET_GRACE_SECONDS = '86400';
      expect(() => functionEnv(name as FunctionName, values), name).not.toThrow();
    }
  });
});
