import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import { defineConfig } from '../config/config-document';
import type { Lead } from '../lead';

/** Lead fields an opportunity may copy. */
export const MAPPABLE_LEAD_FIELDS = [
  'company',
  'companyDomain',
  'firstName',
  'lastName',
  'email',
  'phone',
  'jobTitle',
  'country',
  'campaign',
  'productInterest',
  'expectedValue',
  'website',
  'scoreBand',
  'score',
] as const;
export type MappableLeadField = (typeof MAPPABLE_LEAD_FIELDS)[number];

export const opportunityMappingSchema = lazySchema(() =>
  z
    .object({
      /** `{field}` placeholders name lead fields; empty ones are dropped with their separator. */
      nameTemplate: z.string().trim().min(1).max(200),
      /** Opportunity field → lead field. Custom lead fields are addressed as `customFields.<name>`. */
      fields: z.record(
        z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,39}$/),
        z.union([z.enum(MAPPABLE_LEAD_FIELDS), z.string().regex(/^customFields\.[^.]{1,100}$/)]),
      ),
    })
    .strict(),
);
export type OpportunityMapping = z.infer<typeof opportunityMappingSchema>;

export const DEFAULT_OPPORTUNITY_MAPPING: OpportunityMapping = {
  nameTemplate: '{company} – {productInterest}',
  fields: {
    amount: 'expectedValue',
    product: 'productInterest',
    country: 'country',
    campaign: 'campaign',
    scoreBand: 'scoreBand',
  },
};

/** `GET`/`PUT /config/opportunity-mapping`: which lead data an opportunity takes over. */
export const opportunityMappingKind = defineConfig({
  name: 'opportunity-mapping',
  schema: opportunityMappingSchema,
  defaultValue: DEFAULT_OPPORTUNITY_MAPPING,
  description: 'How a converted lead’s fields become the opportunity’s name and fields',
  editors: ['salesops'],
});

type Scalar = string | number | boolean;

const fieldValue = (lead: Lead, field: string): Scalar | undefined => {
  if (field.startsWith('customFields.')) return lead.customFields?.[field.slice('customFields.'.length)];
  const value = (lead as Record<string, unknown>)[field];
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
};

const personName = (lead: Lead) =>
  [lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.email || lead.phone || lead.id;

/** Fills the template; an empty placeholder vanishes with the separator before it (or after it, when first). */
export const opportunityName = (lead: Lead, template: string): string => {
  const tokens = template
    .split(/(\{[^}]+\})/)
    .filter((t) => t !== '')
    .map((t) => {
      const field = /^\{([^}]+)\}$/.exec(t)?.[1];
      if (!field) return { text: t, placeholder: false, drop: false };
      const value = fieldValue(lead, field);
      return {
        text: value === undefined ? '' : String(value),
        placeholder: true,
        drop: value === undefined || value === '',
      };
    });
  tokens.forEach((token, i) => {
    if (!token.placeholder || !token.drop) return;
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    if (before && !before.placeholder) before.drop = true;
    else if (after && !after.placeholder) after.drop = true;
  });
  const name = tokens
    .filter((t) => !t.drop)
    .map((t) => t.text)
    .join('')
    .trim();
  return name || personName(lead);
};

export const mapOpportunityFields = (lead: Lead, mapping: OpportunityMapping): Record<string, Scalar> => {
  const out: Record<string, Scalar> = {};
  for (const [target, source] of Object.entries(mapping.fields)) {
    const value = fieldValue(lead, source);
    if (value !== undefined) out[target] = value;
  }
  return out;
};
