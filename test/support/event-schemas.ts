import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { BusEvent } from '../../functions/core/events';

/** The versioned JSON Schemas of every event detail, from schemas/events/<DetailType>.v<n>.json. */
export const SCHEMA_DIR = join(import.meta.dirname, '..', '..', 'schemas', 'events');

export const schemaFiles = () => readdirSync(SCHEMA_DIR).filter((f) => /^[A-Za-z]+\.v\d+\.json$/.test(f));

export const loadSchema = (detailType: string, version = 1): Record<string, unknown> =>
  JSON.parse(readFileSync(join(SCHEMA_DIR, `${detailType}.v${version}.json`), 'utf8'));

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);

/** Problems of one event against the schema of its detail-type and version; [] when valid. */
export const eventProblems = (event: { detailType: string; detail: Record<string, unknown> } | BusEvent): string[] => {
  const version = typeof event.detail.version === 'number' ? event.detail.version : 0;
  let schema: Record<string, unknown>;
  try {
    schema = loadSchema(event.detailType, version);
  } catch {
    return [`no schema ${event.detailType}.v${version}.json`];
  }
  const validate = ajv.getSchema(String(schema.$id)) ?? ajv.compile(schema);
  return validate(event.detail)
    ? []
    : (validate.errors ?? []).map((e) => `${event.detailType}${e.instancePath} ${e.message}`);
};

/** The bus log of the local runtime has EventBridge envelopes; check them with this. */
export const envelopeProblems = (envelope: { 'detail-type': string; detail: Record<string, unknown> }) =>
  eventProblems({ detailType: envelope['detail-type'], detail: envelope.detail });

type JsonSchema = {
  required?: string[];
  properties?: Record<string, { type?: unknown; const?: unknown; enum?: unknown }>;
};

/**
 * What a new schema version breaks for consumers of the old one: a field removed, a field newly
 * required, or a field's type changed. Adding an optional field breaks nothing.
 */
export const breakingChanges = (before: JsonSchema, after: JsonSchema): string[] => {
  const problems: string[] = [];
  const oldProps = before.properties ?? {};
  const newProps = after.properties ?? {};
  for (const field of Object.keys(oldProps)) if (!(field in newProps)) problems.push(`field '${field}' removed`);
  for (const field of after.required ?? [])
    if (!(before.required ?? []).includes(field)) problems.push(`field '${field}' newly required`);
  for (const [field, spec] of Object.entries(oldProps)) {
    const next = newProps[field];
    if (
      next &&
      JSON.stringify([spec.type, spec.const, spec.enum]) !== JSON.stringify([next.type, next.const, next.enum])
    )
      problems.push(`field '${field}' changed type`);
  }
  return problems;
};
