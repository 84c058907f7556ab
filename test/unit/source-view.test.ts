import fc from 'fast-check';
import { describe, expect, it } from '@jest/globals';
import { listSources, sourceView } from '../../functions/core/source-view';
import { type SourceConfig, sourceConfigSchema } from '../../functions/core/sources';

const ALLOWED = [
  'id',
  'name',
  'kind',
  'adapter',
  'duplicatePolicy',
  'duplicateThresholds',
  'sameBodyWindowSeconds',
  'campaign',
  'form',
];
const FORM_ALLOWED = ['fieldMapping', 'allowedOrigins', 'redirectUrl', 'honeypotField'];

describe('source view', () => {
  it('publishes only the listed settings, whatever else a source object carries', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<SourceConfig['kind']>('webhook', 'form', 'api', 'import'),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string()),
        fc.string({ minLength: 1 }),
        (kind, mapping, secret) => {
          const source = {
            ...sourceConfigSchema.parse({ id: 'src-1', kind, fieldMapping: mapping, honeypotField: 'hp' }),
            secret,
            googleKey: secret,
          } as SourceConfig;

          const view = sourceView(source) as Record<string, unknown>;

          expect(Object.keys(view).every((k) => ALLOWED.includes(k))).toBe(true);
          expect(
            Object.keys((view.form as Record<string, unknown> | undefined) ?? {}).every((k) =>
              FORM_ALLOWED.includes(k),
            ),
          ).toBe(true);
          expect(view.form !== undefined).toBe(kind === 'form');
          expect(JSON.stringify(view)).not.toContain('"secret"');
          expect(JSON.stringify(view)).not.toContain('googleKey');
        },
      ),
    );
  });

  it('answers the built-in manual and import sources unless a configured source takes their id', () => {
    const configured = [sourceConfigSchema.parse({ id: 'import', kind: 'import', duplicatePolicy: 'reject' })];

    const ids = listSources(configured).map((s) => `${s.id}:${s.duplicatePolicy}`);

    expect(ids).toEqual(['import:reject', 'manual:create']);
  });
});
