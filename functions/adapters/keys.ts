import type { DedupeKey } from '../core/dedupe';

/** Every key the repositories write. Handlers and core never build keys. */
export const keys = {
  lead: (id: string) => ({ pk: `LEAD#${id}`, sk: 'LEAD' }),
  audit: (leadId: string, at: string, seq: string) => ({ pk: `LEAD#${leadId}`, sk: `AUDIT#${at}#${seq}` }),
  dedupe: (key: DedupeKey) => ({ pk: `KEY#${key.on}#${key.value}`, sk: 'KEY' }),
  delivery: (sourceId: string, deliveryId: string) => ({ pk: `DELIVERY#${sourceId}#${deliveryId}`, sk: 'DELIVERY' }),
  config: (name: string) => ({ pk: `CONFIG#${name}`, sk: 'CURRENT' }),
  configVersion: (name: string, version: number) => ({ pk: `CONFIG#${name}`, sk: `V#${String(version).padStart(8, '0')}` }),
  ownerIndex: (owner: string | undefined, createdAt: string, id: string) => ({ gsi1pk: `OWNER#${owner ?? 'UNASSIGNED'}`, gsi1sk: `${createdAt}#${id}` }),
  stageIndex: (stage: string, createdAt: string, id: string) => ({ gsi2pk: `STAGE#${stage}`, gsi2sk: `${createdAt}#${id}` }),
};
