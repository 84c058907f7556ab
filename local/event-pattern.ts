import type { EventPattern } from '../functions/core/event-rules';

type Matcher = unknown;

const matchesOne = (matcher: Matcher, value: unknown, present: boolean): boolean => {
  if (matcher === null || typeof matcher !== 'object')
    return present && (Array.isArray(value) ? value.includes(matcher) : value === matcher);
  const m = matcher as Record<string, unknown>;
  if ('exists' in m) return m.exists === present;
  if (!present) return false;
  const values = Array.isArray(value) ? value : [value];
  if ('prefix' in m) return values.some((v) => typeof v === 'string' && v.startsWith(String(m.prefix)));
  if ('suffix' in m) return values.some((v) => typeof v === 'string' && v.endsWith(String(m.suffix)));
  if ('equals-ignore-case' in m)
    return values.some(
      (v) => typeof v === 'string' && v.toLowerCase() === String(m['equals-ignore-case']).toLowerCase(),
    );
  if ('anything-but' in m) {
    const but = m['anything-but'];
    const excluded = Array.isArray(but) ? but : [but];
    return values.every((v) => !excluded.includes(v));
  }
  if ('numeric' in m) {
    const ops = m.numeric as (string | number)[];
    return values.some((v) => {
      if (typeof v !== 'number') return false;
      for (let i = 0; i < ops.length; i += 2) {
        const bound = Number(ops[i + 1]);
        const ok = { '=': v === bound, '<': v < bound, '<=': v <= bound, '>': v > bound, '>=': v >= bound }[
          String(ops[i])
        ];
        if (!ok) return false;
      }
      return true;
    });
  }
  return false;
};

/** EventBridge semantics: every field in the pattern must match; a list matches if any entry does. */
export const matchesPattern = (pattern: EventPattern, event: Record<string, unknown>): boolean =>
  Object.entries(pattern).every(([field, expected]) => {
    const present = Object.hasOwn(event, field);
    const value = event[field];
    if (Array.isArray(expected)) return expected.some((m) => matchesOne(m, value, present));
    if (!present || value === null || typeof value !== 'object') return false;
    return matchesPattern(expected as EventPattern, value as Record<string, unknown>);
  });
