/**
 * Writes the JSON Schemas generated from the zod schemas the code validates with, so the files in
 * `schemas/` (referenced from openapi.yaml) cannot drift from the code: a unit test regenerates them
 * and compares. Run after changing a schema: `npx tsx scripts/generate-schemas.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { canonicalLeadSchema } from '../functions/core/lead';

type JsonSchema = Record<string, unknown>;

export const CANONICAL_LEAD_SCHEMA_FILE = fileURLToPath(
  new URL('../schemas/canonical-lead.schema.json', import.meta.url),
);

/**
 * The canonical lead as a client sends it (`io: 'input'`: before trimming and upper-casing). JSON
 * Schema cannot say what zod's refinements check, so the ones a client can state are added here
 * by hand: email or phone required, at most 100 custom fields. Trimming before the length checks
 * and the ban on control characters stay with the server's validation.
 */
export const canonicalLeadJsonSchema = (): JsonSchema => {
  const generated = z.toJSONSchema(canonicalLeadSchema, {
    io: 'input',
    target: 'draft-2020-12',
    override: ({ jsonSchema, path }) => {
      const at = path.join('/');
      if (at === 'properties/customFields') Object.assign(jsonSchema, { maxProperties: 100 });
    },
  }) as JsonSchema;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: 'https://leadflow.dev/schemas/canonical-lead.schema.json',
    title: 'CanonicalLead',
    description:
      'The lead every source adapter produces and POST /leads and signed webhooks (canonical adapter) accept. Generated from canonicalLeadSchema in functions/core/lead.ts by scripts/generate-schemas.ts; do not edit. Strings are trimmed before their length is checked, and names and titles must not contain control characters.',
    ...rest,
    anyOf: [{ required: ['email'] }, { required: ['phone'] }],
  };
};

/** Every generated file and its content, as written to disk (two-space JSON, final newline). */
export const generatedSchemaFiles = (): { file: string; text: string }[] => [
  { file: CANONICAL_LEAD_SCHEMA_FILE, text: `${JSON.stringify(canonicalLeadJsonSchema(), null, 2)}\n` },
];

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];

if (isMain) {
  for (const { file, text } of generatedSchemaFiles()) {
    let before = '';
    try {
      before = readFileSync(file, 'utf8');
    } catch {
      // first run: nothing written yet
    }
    if (before === text) console.log(`unchanged ${file}`);
    else {
      writeFileSync(file, text);
      console.log(`wrote ${file}`);
    }
  }
}
