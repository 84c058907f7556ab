import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { defineConfig } from '../config/config-document';
import { type Lead, LEAD_TYPES } from '../lead';
import { isIsoDuration } from './duration';
import { regionOf } from './regions';

/** Chain kinds: `conversion` (a lead becoming an opportunity) and `quote-discount` (a quote discount above the sender's limit). */
export const APPROVAL_KINDS = ['conversion', 'quote-discount'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

const step = lazySchema(() =>
  z
    .object({
      name: z.string().min(1).max(100),
      approver: z.string().min(1).optional(),
      group: z.enum(['rep', 'manager', 'salesops']).optional(),
      timeout: z.string().refine(isIsoDuration, { message: 'must be an ISO-8601 duration such as PT24H' }),
    })
    .strict()
    .refine((s) => Boolean(s.approver) !== Boolean(s.group), { message: 'name exactly one of approver or group' }),
);

export const approvalsConfigSchema = lazySchema(() =>
  z
    .object({
      chains: z.array(
        z
          .object({
            name: z.string().min(1).max(100),
            /** What the chain approves: a lead's conversion (the default) or a quote's discount above the sender's limit. */
            kind: z.enum(APPROVAL_KINDS).optional(),
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
            /** Conversion chains only: where a rejected lead goes. A rejected quote discount returns the quote to its editor. */
            onReject: z.enum(['return-to-sales-qualified', 'disqualify']).optional(),
            /** Whether whoever asked for the conversion (or decided an earlier step) may decide a step. Default false: four eyes. */
            allowSelfApproval: z.boolean().optional(),
          })
          .strict()
          .refine((chain) => chain.kind === 'quote-discount' || chain.onReject !== undefined, {
            message: 'a conversion chain must say where a rejected lead goes (onReject)',
            path: ['onReject'],
          }),
      ),
    })
    .strict(),
);
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
    {
      name: 'quote discounts',
      kind: 'quote-discount',
      when: {},
      steps: [{ name: 'sales manager', group: 'manager', timeout: 'PT24H' }],
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

/**
 * The first chain of the kind whose segment contains the lead (for a quote: the customer's segment and
 * the quote's total as `expectedValue`); none means no approval is needed.
 */
export const chainFor = (
  lead: Pick<Lead, 'leadType' | 'country' | 'expectedValue'>,
  config: ApprovalsConfig,
  kind: ApprovalKind = 'conversion',
): { chain: ApprovalChain; index: number } | undefined => {
  for (const [index, chain] of config.chains.entries()) {
    if ((chain.kind ?? 'conversion') !== kind) continue;
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
