import { SAME_BODY_WINDOW_SECONDS } from './capture-lead';
import type { CatalogEntry } from './source-catalog';
import { DEFAULT_THRESHOLDS } from './dedupe';
import { BUILT_IN_SOURCES, type SourceConfig } from './sources';

/** What sales ops may see of a source: its configuration, never a secret (those stay in Secrets Manager). */
export type SourceView = {
  id: string;
  name?: string;
  kind: SourceConfig['kind'];
  adapter: SourceConfig['adapter'];
  duplicatePolicy: SourceConfig['duplicatePolicy'];
  /** The thresholds in force (the defaults when the source sets none). */
  duplicateThresholds: { block: number; alert: number };
  /** Seconds within which the same body from this source is the same delivery (0: off). */
  sameBodyWindowSeconds: number;
  campaign?: string;
  form?: {
    fieldMapping: Record<string, string>;
    allowedOrigins: string[];
    redirectUrl?: string;
    honeypotField?: string;
  };
  chatbot?: { botId: string; botAliasArns: string[]; slotMapping: Record<string, string>; fulfilledMessage?: string };
};

/** Field by field, so nothing added to a source's configuration later is published by accident. */
export const sourceView = (s: SourceConfig): SourceView => ({
  id: s.id,
  ...(s.name ? { name: s.name } : {}),
  kind: s.kind,
  adapter: s.adapter,
  duplicatePolicy: s.duplicatePolicy,
  duplicateThresholds: { ...(s.duplicateThresholds ?? DEFAULT_THRESHOLDS) },
  sameBodyWindowSeconds: s.kind === 'import' ? 0 : (s.sameBodyWindowSeconds ?? SAME_BODY_WINDOW_SECONDS),
  ...(s.campaign ? { campaign: s.campaign } : {}),
  ...(s.kind === 'form'
    ? {
        form: {
          fieldMapping: { ...(s.fieldMapping ?? {}) },
          allowedOrigins: [...s.allowedOrigins],
          ...(s.redirectUrl ? { redirectUrl: s.redirectUrl } : {}),
          ...(s.honeypotField ? { honeypotField: s.honeypotField } : {}),
        },
      }
    : {}),
  ...(s.kind === 'chatbot' && s.botId
    ? {
        chatbot: {
          botId: s.botId,
          botAliasArns: [...(s.botAliasArns ?? [])],
          slotMapping: { ...(s.slotMapping ?? {}) },
          ...(s.fulfilledMessage ? { fulfilledMessage: s.fulfilledMessage } : {}),
        },
      }
    : {}),
});

/** The configured sources, then the built-ins that are not overridden by a configured source of the same id. */
export const listSources = (configured: SourceConfig[]): SourceView[] => [
  ...configured.map(sourceView),
  ...BUILT_IN_SOURCES.filter((b) => !configured.some((c) => c.id === b.id)).map(sourceView),
];

/** A source in the sales-ops list: its view, where it comes from, its version and whether it still takes leads. */
export type CatalogView = SourceView & {
  origin: 'config' | 'api' | 'built-in';
  status: 'active' | 'retired';
  /** 0: as `leadflow.config.json` (or the built-in) has it; each change through the API adds one. */
  version: number;
  updatedAt?: string;
  updatedBy?: string;
};

export const catalogView = (e: CatalogEntry): CatalogView => ({
  ...sourceView(e.config),
  origin: e.origin,
  status: e.status,
  version: e.version,
  ...(e.updatedAt ? { updatedAt: e.updatedAt } : {}),
  ...(e.updatedBy ? { updatedBy: e.updatedBy } : {}),
});

/** The built-ins (`manual`, `import`) that no configured or created source replaces. */
export const builtInViews = (taken: readonly string[]): CatalogView[] =>
  BUILT_IN_SOURCES.filter((b) => !taken.includes(b.id)).map((b) => ({
    ...sourceView(b),
    origin: 'built-in',
    status: 'active',
    version: 0,
  }));
