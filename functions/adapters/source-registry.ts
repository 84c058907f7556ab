import { type SourceConfig, sourcesSchema } from '../core/sources';

/** Sources come from deployment configuration (leadflow.config.json → LEADFLOW_SOURCES). */
export const sourcesFromEnv = (raw: string | undefined): SourceConfig[] => {
  if (!raw) return [];
  const parsed = sourcesSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new Error(`LEADFLOW_SOURCES is invalid: ${parsed.error.message}`);
  return parsed.data;
};
