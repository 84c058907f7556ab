import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { defineConfig } from '../config/config-document';

const months = lazySchema(() => z.number().int().min(1).max(240).nullable());
const days = lazySchema(() => z.number().int().min(1).max(3650));

/**
 * Sales ops' privacy policy (versioned like every configuration): how long personal data is kept, and
 * what a capture of a previously erased person does. `null` months switch a rule off.
 */
export const privacyConfig = defineConfig({
  name: 'privacy',
  description:
    'Retention (anonymise leads disqualified or idle for N months; delete import files and rejected rows after N days) and what a re-capture of an erased person does',
  editors: ['salesops', 'privacy'],
  schema: z
    .object({
      retention: z
        .object({
          anonymiseDisqualifiedAfterMonths: months,
          anonymiseIdleAfterMonths: months,
          deleteImportFilesAfterDays: days,
          deleteRejectedRowsAfterDays: days,
        })
        .strict(),
      /** `flag`: a re-captured erased person's lead says `previouslyErased`; `new`: they are simply a new lead. */
      recapture: z.enum(['flag', 'new']),
    })
    .strict(),
  defaultValue: {
    retention: {
      anonymiseDisqualifiedAfterMonths: null,
      anonymiseIdleAfterMonths: null,
      deleteImportFilesAfterDays: 30,
      deleteRejectedRowsAfterDays: 30,
    },
    recapture: 'new',
  },
});

export type PrivacyPolicy = z.infer<typeof privacyConfig.schema>;

/** The instant N months before `now` (calendar months, UTC). */
export const monthsBefore = (now: Date, n: number): Date => {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - n);
  return d;
};

export type RetentionCandidate = { leadId: string; stage: string; updatedAt: string; rule: 'disqualified' | 'idle' };

/** Which rule a lead falls under (a disqualified lead is judged by the disqualified rule only). */
export const retentionRuleFor = (
  lead: { stage: string; updatedAt: string; erased?: unknown },
  policy: PrivacyPolicy['retention'],
  now: Date,
): RetentionCandidate['rule'] | undefined => {
  if (lead.erased) return undefined;
  const updated = new Date(lead.updatedAt);
  if (lead.stage === 'Disqualified')
    return policy.anonymiseDisqualifiedAfterMonths !== null &&
      updated < monthsBefore(now, policy.anonymiseDisqualifiedAfterMonths)
      ? 'disqualified'
      : undefined;
  if (lead.stage === 'Converted') return undefined;
  return policy.anonymiseIdleAfterMonths !== null && updated < monthsBefore(now, policy.anonymiseIdleAfterMonths)
    ? 'idle'
    : undefined;
};
