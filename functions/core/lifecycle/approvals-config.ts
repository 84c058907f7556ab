import * as z from 'zod';
import { defineConfig } from '../config/config-document';
import { type Lead, LEAD_TYPES } from '../lead';
import { isIsoDuration } from './duration';
import { regionOf } from './regions';

const step = z
  .object({
    name: z.string().min(1).max(100),
    approver: z.string().min(1).optional(),
    group: z.enum(['rep', 'manager', 'salesops']).optional(),
    timeout: z.string().refine(isIsoDuration, { message: 'must be an ISO-8601 duration such as PT24H' }),
  })
  .strict()
  .refine((s) => Boolean(s.approver) !== Boolean(s.group), { message: 'name exactly one of approver or group' });

export const approvalsConfigSchema = z
  .object({
    chains: z.array(
      z
        .object({
          name: z.string().min(1).max(100),
          when: z
            .object({
              leadType: z.array(z.enum(LEAD_TYPES)).min(1).optional(),
              country: z
                .array(z.string().regex(/^[A-Z]{2}$/))
                .min(1)
                .optional(),
              region: z.array(z.string().min(1)).min(1).optional(),
              minExpectedValue: z.number().nonnegative().optional(),
            })
            .strict(),
          steps: z.array(step).min(1).max(10),
          onReject: z.enum(['return-to-sales-qualified', 'disqualify']),
          /** Whether whoever asked for the conversion (or decided an earlier step) may decide a step. Default false: four eyes. */
          allowSelfApproval: z.boolean().optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type ApprovalsConfig = z.infer<typeof approvalsConfigSchema>;
export type ApprovalChain = ApprovalsConfig['chains'][number];
export type ApprovalStep = ApprovalChain['steps'][number];

/** By default big B2B deals need the manager's sign-off; everything else converts directly. */
export const DEFAULT_APPROVALS: ApprovalsConfig = {
  chains: [
    {
      name: 'large B2B deals',
      when: { leadType: ['B2B'], minExpectedValue: 50_000 },
      steps: [{ name: 'sales manager', group: 'manager', timeout: 'PT24H' }],
      onReject: 'return-to-sales-qualified',
    },
  ],
};

export const approvalsConfig = defineConfig({
  name: 'approvals',
  schema: approvalsConfigSchema,
  defaultValue: DEFAULT_APPROVALS,
  description: 'Approval chains by segment',
  editors: ['salesops'],
});

/** The first chain whose segment contains the lead; none means conversion needs no approval. */
export const chainFor = (
  lead: Pick<Lead, 'leadType' | 'country' | 'expectedValue'>,
  config: ApprovalsConfig,
): { chain: ApprovalChain; index: number } | undefined => {
  for (const [index, chain] of config.chains.entries()) {
    const w = chain.when;
    if (w.leadType && !w.leadType.includes(lead.leadType)) continue;
    if (w.country && !(lead.country && w.country.includes(lead.country))) continue;
    if (w.region && !w.region.includes(regionOf(lead.country))) continue;
    if (w.minExpectedValue !== undefined && (lead.expectedValue ?? 0) < w.minExpectedValue) continue;
    return { chain, index };
  }
  return undefined;
};

/** Who may decide a step: the named approver, a member of the named group, or whoever it escalated to. */
export const mayDecide = (
  task: { approver?: string; group?: string; escalatedTo?: string },
  caller: { userId: string; groups: readonly string[] },
): boolean =>
  caller.userId === task.approver ||
  (task.group !== undefined && caller.groups.includes(task.group)) ||
  caller.userId === task.escalatedTo;
