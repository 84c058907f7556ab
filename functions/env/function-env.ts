import * as z from 'zod';
import { FUNCTIONS, type FunctionName } from '../routes';
import { ENV, FUNCTION_SETTINGS, type FunctionNeed, HOUSE_SCHEMA, LOCAL_SCHEMA, NEED_SCHEMAS } from './variables';

type Source = Record<string, string | undefined>;
type House = z.infer<typeof HOUSE_SCHEMA>;
type Local = z.infer<typeof LOCAL_SCHEMA>;
type Settings = typeof FUNCTION_SETTINGS;

/** A function's environment, parsed once at cold start by its composition file (index.ts). */
export type FunctionEnv = {
  readonly fn: FunctionName;
  readonly house: House;
  /** Local-only overrides (SDK endpoints, stand-ins); empty on AWS. */
  readonly local: Local;
  /** The variables of one of the function's needs; asking for a need it does not declare is a bug and throws. */
  need<N extends FunctionNeed>(need: N): z.infer<ReturnType<(typeof NEED_SCHEMAS)[N]['unwrap']>>;
  /** The function's own tuning (import pacing, outbound timeout). */
  settings<F extends keyof Settings>(fn: F): z.infer<Settings[F]>;
};

const settingsOf = (fn: FunctionName): z.ZodObject | undefined =>
  (FUNCTION_SETTINGS as Partial<Record<FunctionName, z.ZodObject>>)[fn];

/** The schema of one function: house-wide, local overrides, exactly its needs, and its own settings. */
const schemaOf = (fn: FunctionName) => {
  const shapes = [
    HOUSE_SCHEMA.shape,
    LOCAL_SCHEMA.shape,
    ...FUNCTIONS[fn].needs.map((need) => NEED_SCHEMAS[need].unwrap().shape),
    settingsOf(fn)?.shape ?? {},
  ];
  return z.object(Object.assign({}, ...shapes) as z.ZodRawShape);
};

/** The variables a function's needs imply (what lib/function-needs.ts sets for it). */
export const needVariables = (fn: FunctionName): string[] => [
  ...new Set(FUNCTIONS[fn].needs.flatMap((need) => Object.keys(NEED_SCHEMAS[need].unwrap().shape))),
];

/** Every variable a function may read: house-wide, local overrides, its needs' and its own settings. */
export const variablesFor = (fn: FunctionName): string[] => [
  ...new Set([
    ...Object.keys(HOUSE_SCHEMA.shape),
    ...Object.keys(LOCAL_SCHEMA.shape),
    ...needVariables(fn),
    ...Object.keys(settingsOf(fn)?.shape ?? {}),
  ]),
];

/**
 * Exactly the variables of `values` that `fn` may read, so a runtime can hand each function only its
 * own: a function whose `needs` miss a variable fails locally as it would on AWS.
 */
export const environmentFor = (fn: FunctionName, values: Source): Record<string, string> =>
  Object.fromEntries(
    variablesFor(fn).flatMap((name) => (values[name] === undefined ? [] : [[name, values[name] as string]])),
  );

/** Parses a function's environment; the error names the function and every variable that is wrong and why. */
export const functionEnv = (fn: FunctionName, source: Source = process.env): FunctionEnv => {
  const parsed = schemaOf(fn).safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) =>
        `${String(i.path[0] ?? '?')} ${i.code === 'invalid_type' && source[String(i.path[0])] === undefined ? 'is not set' : `is invalid: ${i.message}`}`,
    );
    throw new Error(`function ${fn}: environment variable ${problems.join('; ')}`);
  }
  const values = parsed.data as Record<string, unknown>;
  const pick = (shape: z.ZodRawShape) => Object.fromEntries(Object.keys(shape).map((k) => [k, values[k]]));
  return {
    fn,
    house: pick(HOUSE_SCHEMA.shape) as House,
    local: pick(LOCAL_SCHEMA.shape) as Local,
    need: (need) => {
      if (!FUNCTIONS[fn].needs.includes(need))
        throw new Error(
          `function ${fn} reads the variables of need '${need}' but does not declare it in functions/routes.ts`,
        );
      return pick(NEED_SCHEMAS[need].unwrap().shape) as never;
    },
    settings: (of) => {
      if (of !== fn) throw new Error(`function ${fn} reads the settings of ${of}`);
      return pick(FUNCTION_SETTINGS[of].shape) as never;
    },
  };
};

/** House-wide variables alone, for what is built before a function's composition runs (the logger). */
export const houseEnv = (source: Source = process.env): House => {
  const parsed = HOUSE_SCHEMA.safeParse(source);
  if (!parsed.success)
    throw new Error(
      `environment variable ${parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
};

/**
 * Whether Powertools' Tracer would trace in this environment, by its own rule (Tracer#setTracingEnabled):
 * not switched off by `POWERTOOLS_TRACE_ENABLED=false`, inside a Lambda execution environment
 * (`AWS_EXECUTION_ENV`), and not under the Amplify mock or SAM local. Set by Lambda and Powertools'
 * conventions, not by the stack's needs, so read here beside the house-wide variables.
 */
export const tracingActive = (source: Source = process.env): boolean =>
  (source.POWERTOOLS_TRACE_ENABLED ?? '').toLowerCase() !== 'false' &&
  (source.AWS_EXECUTION_ENV ?? '') !== '' &&
  source.AWS_EXECUTION_ENV !== 'AWS_Lambda_amplify-mock' &&
  (source.AWS_SAM_LOCAL ?? '') === '';

/** Local-only SDK endpoint overrides (DynamoDB Local, the local runtime's AWS JSON endpoint); all unset on AWS. */
export const localOverrides = (source: Source = process.env): Local => LOCAL_SCHEMA.parse(source);

export { ENV };
