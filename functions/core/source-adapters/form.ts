/** Website form fields, named as the page names them, to the canonical lead. */
const DEFAULT_FORM_FIELDS: Record<string, string> = {
  first_name: 'firstName',
  firstname: 'firstName',
  last_name: 'lastName',
  lastname: 'lastName',
  email: 'email',
  phone: 'phone',
  company: 'company',
  job_title: 'jobTitle',
  title: 'jobTitle',
  website: 'website',
  country: 'country',
  message: 'notes',
  utm_source: 'utm.source',
  utm_medium: 'utm.medium',
  utm_campaign: 'utm.campaign',
  utm_term: 'utm.term',
  utm_content: 'utm.content',
  consent: 'consent.marketing',
};

const CANONICAL_TOP = new Set([
  'firstName',
  'lastName',
  'email',
  'phone',
  'company',
  'jobTitle',
  'website',
  'country',
  'campaign',
  'notes',
  'productInterest',
]);

const truthy = (value: string) => ['1', 'true', 'on', 'yes'].includes(value.toLowerCase());

/**
 * Builds the canonical payload from flat form fields. Fields neither mapped nor canonical become
 * custom fields so nothing the visitor typed is lost. Empty strings count as absent (browsers send them).
 */
export const fromFormFields = (
  fields: Record<string, string>,
  mapping: Record<string, string> = {},
  ignore: string[] = [],
): Record<string, unknown> => {
  const lead: Record<string, unknown> = {};
  const utm: Record<string, string> = {};
  const custom: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (ignore.includes(name) || value.trim() === '') continue;
    const target =
      mapping[name] ?? DEFAULT_FORM_FIELDS[name.toLowerCase()] ?? (CANONICAL_TOP.has(name) ? name : undefined);
    if (!target) custom[name] = value;
    else if (target.startsWith('utm.')) utm[target.slice(4)] = value;
    else if (target === 'consent.marketing') lead.consent = { marketing: truthy(value) };
    else if (target.startsWith('customFields.')) custom[target.slice(13)] = value;
    else lead[target] = value;
  }
  if (Object.keys(utm).length > 0) lead.utm = utm;
  if (Object.keys(custom).length > 0) lead.customFields = custom;
  return lead;
};
