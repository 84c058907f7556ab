import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { environmentFor, functionEnv, needVariables } from '../../functions/env/function-env';
import { ENV, NEED_SCHEMAS } from '../../functions/env/variables';
import { FUNCTIONS, type FunctionName } from '../../functions/routes';

/** Everything the local runtime could hold: every variable of every need, setting and local override. */
const EVERYTHING: Record<string, string> = Object.fromEntries(
  Object.values(ENV).map((name) => [name, name === ENV.MODE ? 'local' : 'x']),
);
const HOUSE_AND_LOCAL = [
  ENV.MODE,
  ENV.SOURCES,
  ENV.EVENT_BUS_NAME,
  ENV.LOG_LEVEL,
  ENV.AWS_REGION,
  ENV.DYNAMODB_ENDPOINT,
  ENV.SFN_ENDPOINT,
  ENV.EVENTS_ENDPOINT,
  ENV.SECRETSMANAGER_ENDPOINT,
  ENV.WEBHOOK_SECRETS,
  ENV.NOTIFY_MODE,
  ENV.PUBLIC_URL,
  ENV.BLOB_DIR,
  ENV.LOCAL_JWT_SECRET,
];

describe('one typed environment', () => {
  it("hands a function only its own needs' variables (plus the house-wide and local ones), never another function's", () => {
    const reports = Object.keys(environmentFor('reportsApi', EVERYTHING)).sort();
    expect(reports).toEqual([...HOUSE_AND_LOCAL, ENV.TABLE_NAME].sort());
    for (const fn of Object.keys(FUNCTIONS) as FunctionName[]) {
      const given = Object.keys(environmentFor(fn, EVERYTHING));
      const needs = FUNCTIONS[fn].needs;
      expect(given.includes(ENV.STATE_MACHINE_ARN), fn).toBe(
        needs.includes('workflow:start') || needs.includes('workflow:callback') || needs.includes('privacy'),
      );
      expect(given.includes(ENV.WEBHOOK_SECRET_PREFIX), fn).toBe(
        needs.includes('secrets:webhooks') || needs.includes('secrets:rotate') || needs.includes('secrets:create'),
      );
      expect(given.includes(ENV.ATTACHMENTS_BUCKET), fn).toBe(
        needs.includes('attachments') || needs.includes('privacy'),
      );
      expect(given.includes(ENV.IMPORTS_BUCKET), fn).toBe(needs.includes('imports') || needs.includes('privacy'));
      expect(given.includes(ENV.NOTIFY_FROM), fn).toBe(needs.includes('email'));
      for (const name of needVariables(fn)) expect(given, `${fn} ${name}`).toContain(name);
    }
    expect(environmentFor('reportsApi', { TABLE_NAME: 't', STATE_MACHINE_ARN: 'arn' })).toEqual({ TABLE_NAME: 't' });
  });

  it('parses once with one schema per need: defaults, numbers and the mode', () => {
    const env = functionEnv('importBatch', {
      TABLE_NAME: 't',
      STATE_MACHINE_ARN: 'arn',
      EVENT_BUS_NAME: 'leadflow',
      IMPORT_BATCH_SIZE: '25',
    });
    expect(env.house).toMatchObject({ LEADFLOW_MODE: 'aws', EVENT_BUS_NAME: 'leadflow' });
    expect(env.need('table:read').TABLE_NAME).toBe('t');
    expect(env.settings('importBatch')).toEqual({
      IMPORT_BATCH_SIZE: 25,
      IMPORT_MAX_CONCURRENCY: 5,
      IMPORT_STARTS_PER_SECOND: 20,
      IMPORT_STARTS_BURST: 20,
    });
    expect(env.need('imports').IMPORTS_BUCKET).toBeUndefined();
    expect(functionEnv('outbound', { TABLE_NAME: 't', LEADFLOW_MODE: 'local' }).house.LEADFLOW_MODE).toBe('local');
    expect(
      functionEnv('captureWebhook', { TABLE_NAME: 't', STATE_MACHINE_ARN: 'a', EVENT_BUS_NAME: 'b' }).need(
        'secrets:webhooks',
      ).WEBHOOK_SECRET_GRACE_SECONDS,
    ).toBe(86400);
  });

  it('fails at cold start naming the function and the variable', () => {
    expect(() => functionEnv('captureWebhook', { TABLE_NAME: 't', EVENT_BUS_NAME: 'b' })).toThrow(
      'function captureWebhook: environment variable STATE_MACHINE_ARN is not set',
    );
    expect(() => functionEnv('reportsApi', {})).toThrow(
      /function reportsApi: environment variable TABLE_NAME is not set/,
    );
    expect(() =>
      functionEnv('importBatch', {
        TABLE_NAME: 't',
        STATE_MACHINE_ARN: 'a',
        EVENT_BUS_NAME: 'b',
        IMPORT_BATCH_SIZE: 'lots',
      }),
    ).toThrow(/importBatch: environment variable IMPORT_BATCH_SIZE is invalid: must be a positive number/);
    expect(() => functionEnv('outbound', { TABLE_NAME: 't', LEADFLOW_MODE: 'dev' })).toThrow(
      /outbound: environment variable LEADFLOW_MODE is invalid/,
    );
    expect(() =>
      functionEnv('sourcesApi', { TABLE_NAME: 't', EVENT_BUS_NAME: 'b', WEBHOOK_SECRET_GRACE_SECONDS: '-1' }),
    ).toThrow(/WEBHOOK_SECRET_PREFIX is not set.*WEBHOOK_SECRET_GRACE_SECONDS is invalid/);
  });

  it('refuses to read a need the function does not declare', () => {
    const env = functionEnv('reportsApi', { TABLE_NAME: 't', STATE_MACHINE_ARN: 'arn' });
    expect(() => env.need('workflow:start')).toThrow(
      "function reportsApi reads the variables of need 'workflow:start' but does not declare it",
    );
  });

  it('defines a schema for every need the routes use', () => {
    const used = new Set(Object.values(FUNCTIONS).flatMap((f) => f.needs));
    for (const need of used) expect(Object.keys(NEED_SCHEMAS[need].unwrap().shape).length, need).toBeGreaterThan(0);
  });
});
