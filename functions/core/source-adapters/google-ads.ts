import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import type { CanonicalLead } from '../lead';

/** Google Ads lead form extension webhook delivery (sanitised fixture in test/fixtures). */
export const googleAdsLeadSchema = lazySchema(() =>
  z.object({
    lead_id: z.string().min(1),
    api_version: z.string().optional(),
    form_id: z.union([z.number(), z.string()]).optional(),
    campaign_id: z.union([z.number(), z.string()]).optional(),
    adgroup_id: z.union([z.number(), z.string()]).optional(),
    creative_id: z.union([z.number(), z.string()]).optional(),
    gcl_id: z.string().optional(),
    google_key: z.string().min(1),
    is_test: z.boolean().optional(),
    user_column_data: z.array(
      z.object({
        column_id: z.string().optional(),
        column_name: z.string().optional(),
        string_value: z.string().optional(),
      }),
    ),
  }),
);
export type GoogleAdsLead = z.infer<typeof googleAdsLeadSchema>;

const COLUMN_TO_FIELD: Record<string, keyof CanonicalLead> = {
  FIRST_NAME: 'firstName',
  LAST_NAME: 'lastName',
  EMAIL: 'email',
  WORK_EMAIL: 'email',
  PHONE_NUMBER: 'phone',
  WORK_PHONE: 'phone',
  COMPANY_NAME: 'company',
  JOB_TITLE: 'jobTitle',
  COUNTRY: 'country',
};

/** Maps the delivery to the canonical lead; unknown columns are kept as custom fields, never dropped. */
export const fromGoogleAds = (delivery: GoogleAdsLead): CanonicalLead => {
  const lead: Record<string, unknown> = {};
  const custom: Record<string, string> = {};
  for (const column of delivery.user_column_data) {
    const value = column.string_value?.trim();
    if (!value) continue;
    const id = column.column_id ?? '';
    const field = COLUMN_TO_FIELD[id];
    if (field && lead[field] === undefined) lead[field] = value;
    else if (id === 'FULL_NAME' && !lead.firstName) {
      const [first, ...rest] = value.split(/\s+/);
      lead.firstName = first;
      if (rest.length > 0) lead.lastName = rest.join(' ');
    } else custom[(column.column_name ?? id).slice(0, 100) || 'unnamed'] = value.slice(0, 2000);
  }
  if (delivery.campaign_id !== undefined) lead.campaign = String(delivery.campaign_id);
  custom.googleAdsLeadId = delivery.lead_id;
  if (delivery.gcl_id) custom.gclid = delivery.gcl_id;
  if (delivery.form_id !== undefined) custom.googleAdsFormId = String(delivery.form_id);
  return { ...lead, customFields: custom } as CanonicalLead;
};
