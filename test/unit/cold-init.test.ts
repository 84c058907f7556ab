import { describe, expect, it } from '@jest/globals';
import * as z from 'zod';
import { lazySchema } from '../../functions/core/lazy-schema';
import { DEFAULT_SCORING, scoringConfigSchema } from '../../functions/core/scoring/points-config';
import { tracingActive } from '../../functions/env/function-env';
import { tracer } from '../../functions/http/observability';

/** What cold init skips: schemas nobody has used yet, and the tracer where it would not trace. */
describe('schemas built on first use', () => {
  const counted = () => {
    let builds = 0;
    const schema = lazySchema(() => {
      builds++;
      return z.object({ name: z.string().trim().min(1).max(10), tags: z.array(z.string()).default([]) }).strict();
    });
    return { schema, builds: () => builds };
  };

  it('builds nothing until the first parse, then builds once and keeps it', () => {
    const { schema, builds } = counted();
    const parent = z.object({ person: schema.optional() });
    expect(builds()).toBe(0);
    expect(parent.parse({ person: { name: ' Zoë ' } })).toEqual({ person: { name: 'Zoë', tags: [] } });
    expect(schema.parse({ name: 'Ann', tags: ['a'] })).toEqual({ name: 'Ann', tags: ['a'] });
    expect(schema.unwrap()).toBe(schema.unwrap());
    expect(builds()).toBe(1);
  });

  it('answers as the schema it wraps: the same issues (path, code, message) and the same JSON Schema', () => {
    const { schema } = counted();
    const inner = schema.unwrap();
    for (const bad of [{ name: '' }, { name: 'x'.repeat(11) }, { name: 'Ann', extra: 1 }, { tags: 'a' }, null])
      expect(schema.safeParse(bad).error?.issues).toEqual(inner.safeParse(bad).error?.issues);
    expect(z.toJSONSchema(schema, { io: 'input' })).toEqual(z.toJSONSchema(inner, { io: 'input' }));
  });

  it('keeps a configuration kind as strict as before: the default passes, a misspelt or out-of-range rule is refused', () => {
    expect(scoringConfigSchema.safeParse(DEFAULT_SCORING).success).toBe(true);
    const bad = { ...DEFAULT_SCORING, rules: [{ when: 'titleContains', keywords: ['ceo'], points: 500 }] };
    const result = scoringConfigSchema.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['rules.0.points']);
    expect(scoringConfigSchema.safeParse({ ...DEFAULT_SCORING, bands: undefined, band: {} }).success).toBe(false);
  });
});

describe('the X-Ray tracer only where it traces', () => {
  const lambda = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' };

  it("follows Powertools' own rule: inside Lambda unless switched off, never under SAM local or the Amplify mock", () => {
    expect(tracingActive(lambda)).toBe(true);
    expect(tracingActive({ ...lambda, POWERTOOLS_TRACE_ENABLED: 'true' })).toBe(true);
    expect(tracingActive({ ...lambda, POWERTOOLS_TRACE_ENABLED: 'false' })).toBe(false);
    expect(tracingActive({ ...lambda, POWERTOOLS_TRACE_ENABLED: 'FALSE' })).toBe(false);
    expect(tracingActive({ ...lambda, AWS_SAM_LOCAL: 'true' })).toBe(false);
    expect(tracingActive({ AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' })).toBe(false);
    expect(tracingActive({})).toBe(false);
    expect(tracingActive({ POWERTOOLS_TRACE_ENABLED: 'true' })).toBe(false);
  });

  it('is not loaded outside Lambda (tests, the local runtime), so the house middleware runs without it', () => {
    expect(tracingActive(process.env)).toBe(false);
    expect(tracer).toBeUndefined();
  });
});
