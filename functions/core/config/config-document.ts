import type * as z from 'zod';

/** A configuration document sales ops edit: validated, versioned, and who changed it. */
export type ConfigDocument<T> = { name: string; version: number; value: T; updatedAt: string; updatedBy: string };

export type ConfigStore = {
  get<T>(name: string): Promise<ConfigDocument<T> | undefined>;
  /** Conditional on `expectedVersion` (0 = not yet stored): a concurrent edit loses with a conflict. */
  put<T>(name: string, value: T, expectedVersion: number, updatedBy: string, at: string): Promise<ConfigDocument<T>>;
  history<T>(name: string, limit: number): Promise<ConfigDocument<T>[]>;
};

/** One editable configuration: its schema, its default before anyone saved it, and who may edit. */
export type ConfigKind<S extends z.ZodType = z.ZodType> = {
  name: string;
  schema: S;
  defaultValue: z.infer<S>;
  description: string;
  /** Groups allowed to PUT; everyone signed in may GET. */
  editors: readonly string[];
};

export const defineConfig = <S extends z.ZodType>(kind: ConfigKind<S>): ConfigKind<S> => kind;

/** The stored document, or the kind's default as version 0. */
export const readConfig = async <S extends z.ZodType>(
  store: ConfigStore,
  kind: ConfigKind<S>,
): Promise<ConfigDocument<z.infer<S>>> =>
  (await store.get<z.infer<S>>(kind.name)) ?? {
    name: kind.name,
    version: 0,
    value: kind.defaultValue,
    updatedAt: '1970-01-01T00:00:00.000Z',
    updatedBy: 'default',
  };
