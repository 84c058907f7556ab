import * as z from 'zod';
import { lazySchema } from '../lazy-schema';
import type { FieldIssue } from '../errors';

/** Where a column's value goes in the canonical lead. `fullName` is split into first and last name. */
export const TARGET_FIELDS = [
  'firstName',
  'lastName',
  'fullName',
  'email',
  'phone',
  'company',
  'jobTitle',
  'website',
  'country',
  'campaign',
  'productInterest',
  'leadType',
  'expectedValue',
  'utm.source',
  'utm.medium',
  'utm.campaign',
  'utm.term',
  'utm.content',
  'consent.marketing',
  'consent.capturedAt',
  'notes',
] as const;
export type TargetField = (typeof TARGET_FIELDS)[number];

/** A column maps to a canonical field, to a custom field (`custom:<key>`), or is ignored (null). */
export type ColumnTarget = TargetField | `custom:${string}` | null;

/** Column limits: a lead has ~20 fields; a file with thousands of columns is not a lead list. */
export const MAX_COLUMNS = 250;
export const MAX_CUSTOM_KEY = 100;

/** Lower-case letters and digits only: "E-mail", "e_mail" and " EMAIL " all read as "email". */
export const headerKey = (header: string): string =>
  header
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

const SYNONYMS: Record<TargetField, string[]> = {
  firstName: ['firstname', 'first', 'givenname', 'forename', 'fname', 'vorname', 'prenom'],
  lastName: ['lastname', 'last', 'surname', 'familyname', 'lname', 'nachname', 'nom'],
  fullName: ['name', 'fullname', 'contactname', 'contact', 'leadname', 'personname'],
  email: ['email', 'emailaddress', 'mail', 'workemail', 'businessemail', 'emailid', 'emailadresse', 'courriel'],
  phone: [
    'phone',
    'phonenumber',
    'telephone',
    'telephonenumber',
    'tel',
    'mobile',
    'mobilephone',
    'mobilenumber',
    'cell',
    'cellphone',
    'workphone',
    'businessphone',
    'telefon',
    'handy',
  ],
  company: [
    'company',
    'companyname',
    'organisation',
    'organization',
    'org',
    'account',
    'accountname',
    'employer',
    'firm',
    'firma',
    'business',
    'businessname',
  ],
  jobTitle: ['jobtitle', 'title', 'position', 'role', 'designation', 'job'],
  website: ['website', 'web', 'url', 'site', 'companywebsite', 'homepage', 'domain', 'companyurl', 'webaddress'],
  country: ['country', 'countrycode', 'countryiso', 'land', 'pays'],
  campaign: ['campaign', 'campaignname', 'event', 'eventname'],
  productInterest: ['product', 'productinterest', 'interest', 'interestedin', 'products'],
  leadType: ['leadtype'],
  expectedValue: ['expectedvalue', 'value', 'dealsize', 'dealvalue', 'budget', 'amount', 'revenue'],
  'utm.source': ['utmsource'],
  'utm.medium': ['utmmedium'],
  'utm.campaign': ['utmcampaign'],
  'utm.term': ['utmterm'],
  'utm.content': ['utmcontent'],
  'consent.marketing': ['consent', 'marketingconsent', 'optin', 'optedin', 'gdprconsent', 'newsletter', 'emailoptin'],
  'consent.capturedAt': ['consentdate', 'consentat', 'consentcapturedat', 'optindate'],
  notes: ['notes', 'note', 'comments', 'comment', 'remarks', 'description', 'message'],
};

const BY_KEY: ReadonlyMap<string, TargetField> = new Map(
  (Object.entries(SYNONYMS) as [TargetField, string[]][]).flatMap(([field, keys]) => [
    [headerKey(field), field] as const,
    ...keys.map((k) => [k, field] as const),
  ]),
);

/** The synonym a header stands for, if any. */
export const autoTarget = (header: string): TargetField | undefined => BY_KEY.get(headerKey(header));

const targetSchema = lazySchema(() =>
  z.union([
    z.enum(TARGET_FIELDS),
    z
      .string()
      .regex(/^custom:.{1,100}$/, { message: 'custom fields are written custom:<key> (key up to 100 characters)' }),
    z.null(),
  ]),
);

/**
 * A mapping file: either `{ "<header>": "<field>" | "custom:<key>" | null }`, or
 * `{ "columns": { … }, "defaults": { "country": "DE" } }` where defaults fill empty cells.
 */
export const mappingFileSchema = lazySchema(() =>
  z.union([
    z
      .object({
        columns: z.record(z.string(), targetSchema).default({}),
        defaults: z.partialRecord(z.enum(TARGET_FIELDS), z.string()).default({}),
      })
      .strict(),
    z.record(z.string(), targetSchema).transform((columns) => ({ columns, defaults: {} })),
  ]),
);
export type MappingFile = z.output<typeof mappingFileSchema>;

export type ResolvedMapping = {
  /** One target per column, in file order. */
  targets: ColumnTarget[];
  defaults: Partial<Record<TargetField, string>>;
};

export class MappingError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.reason}`).join('; '));
    this.name = 'MappingError';
  }
}

/**
 * Decides where every column goes: the mapping file first (by exact header, then by header key),
 * then synonyms, and anything else becomes a custom field named after its header. Two columns
 * aimed at the same field are an error, never a silent overwrite.
 */
export const resolveMapping = (
  headers: readonly string[],
  file: MappingFile = { columns: {}, defaults: {} },
): ResolvedMapping => {
  const issues: FieldIssue[] = [];
  if (headers.length === 0) issues.push({ field: 'header', reason: 'the file has no header row' });
  if (headers.length > MAX_COLUMNS)
    issues.push({
      field: 'header',
      reason: `the file has ${headers.length} columns; at most ${MAX_COLUMNS} are accepted`,
    });
  if (issues.length > 0) throw new MappingError(issues);

  const fileByKey = new Map(Object.entries(file.columns).map(([h, t]) => [headerKey(h), t] as const));
  const explicitHeaders = new Set(Object.keys(file.columns));
  const seenHeaders = new Set<string>();
  const targets: ColumnTarget[] = headers.map((raw, index) => {
    const header = raw.trim();
    if (seenHeaders.has(header) && header !== '')
      issues.push({ field: `column ${index + 1}`, reason: `the header '${header}' appears twice` });
    seenHeaders.add(header);
    if (explicitHeaders.has(raw)) return (file.columns[raw] ?? null) as ColumnTarget;
    if (explicitHeaders.has(header)) return (file.columns[header] ?? null) as ColumnTarget;
    const fromFile = fileByKey.get(headerKey(header));
    if (fromFile !== undefined) return fromFile as ColumnTarget;
    if (header === '') return null;
    return autoTarget(header) ?? (`custom:${header.slice(0, MAX_CUSTOM_KEY)}` as const);
  });

  const unknownInFile = Object.keys(file.columns).filter(
    (h) => !headers.some((x) => x === h || x.trim() === h || headerKey(x) === headerKey(h)),
  );
  for (const h of unknownInFile) issues.push({ field: `mapping.${h}`, reason: 'no column has this header' });

  const used = new Map<string, number>();
  targets.forEach((target, index) => {
    if (target === null) return;
    const first = used.get(target);
    if (first !== undefined) {
      issues.push({
        field: `column ${index + 1}`,
        reason: `'${headers[index]}' and '${headers[first]}' both map to ${target}; map one of them in a mapping file (null ignores a column)`,
      });
    } else used.set(target, index);
  });
  if (used.has('fullName') && (used.has('firstName') || used.has('lastName'))) {
    issues.push({
      field: 'header',
      reason: 'a full-name column and first/last-name columns cannot both be mapped; ignore one in a mapping file',
    });
  }
  if (issues.length > 0) throw new MappingError(issues);
  return { targets, defaults: file.defaults };
};
