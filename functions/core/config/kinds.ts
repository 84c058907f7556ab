import type { ConfigKind } from './config-document';

/**
 * Every configuration served at /config/{name}. Owners of a kind define it next to its domain code
 * and add it here with one line.
 */
export const CONFIG_KINDS: ConfigKind[] = [];
