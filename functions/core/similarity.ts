import { jaroWinkler } from '@skyra/jaro-winkler';
import anyAscii from 'any-ascii';
import { isFreeMail } from './normalise';

/**
 * Fuzzy matching of people: what two leads share, scored 0…1, beside the exact keys (email, phone).
 * Names and companies are compared transliterated (Grétà → greta, Łódź → lodz), first names
 * nickname-tolerant (Jon ~ Jonathan, Bill ~ William), companies without their legal form (ACME Inc. ~ acme).
 */

/**
 * Lower-case ASCII words: transliterated, punctuation dropped, spaces collapsed. Digits stay: a name or
 * company that carries them (test data's "First12", "3M") must not collapse into another.
 */
export const plainText = (text: string): string =>
  anyAscii(text.normalize('NFC'))
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/**
 * Nickname → the full first names it is short for. Small on purpose: the common English short
 * forms that Jaro-Winkler alone misses or scores low (Bob/Robert, Bill/William, Peggy/Margaret).
 */
const NICKNAMES: Record<string, string[]> = {
  abby: ['abigail'],
  al: ['albert', 'alfred', 'alan', 'alexander'],
  alex: ['alexander', 'alexandra', 'alexis'],
  andy: ['andrew'],
  ben: ['benjamin'],
  beth: ['elizabeth'],
  betty: ['elizabeth'],
  bill: ['william'],
  billy: ['william'],
  bob: ['robert'],
  bobby: ['robert'],
  cathy: ['catherine', 'kathryn'],
  chris: ['christopher', 'christine', 'christina'],
  chuck: ['charles'],
  charlie: ['charles'],
  dan: ['daniel'],
  danny: ['daniel'],
  dave: ['david'],
  dick: ['richard'],
  ed: ['edward', 'edwin'],
  eddie: ['edward'],
  fred: ['frederick', 'alfred'],
  greg: ['gregory'],
  jack: ['john'],
  jake: ['jacob'],
  jen: ['jennifer'],
  jenny: ['jennifer'],
  jim: ['james'],
  jimmy: ['james'],
  joe: ['joseph'],
  johnny: ['john'],
  jon: ['jonathan', 'john'],
  kate: ['katherine', 'catherine', 'kathryn'],
  katie: ['katherine', 'catherine', 'kathryn'],
  ken: ['kenneth'],
  larry: ['lawrence'],
  liz: ['elizabeth'],
  lizzie: ['elizabeth'],
  maggie: ['margaret'],
  matt: ['matthew'],
  meg: ['margaret'],
  mike: ['michael'],
  nate: ['nathan', 'nathaniel'],
  nick: ['nicholas'],
  pat: ['patrick', 'patricia'],
  peggy: ['margaret'],
  pete: ['peter'],
  rick: ['richard'],
  rob: ['robert'],
  ron: ['ronald'],
  sam: ['samuel', 'samantha'],
  steve: ['stephen', 'steven'],
  sue: ['susan'],
  ted: ['edward', 'theodore'],
  tom: ['thomas'],
  tony: ['anthony'],
  will: ['william'],
};

/** A first name and every full name it may be short for (itself included), plain. */
export const firstNameForms = (first: string): string[] => formsOfPlain(plainText(first).split(' ')[0] ?? '');

const formsOfPlain = (plain: string): string[] => (plain ? [plain, ...(NICKNAMES[plain] ?? [])] : []);

/** Full name → its short forms (william → bill, billy, will). */
const SHORT_FORMS: Record<string, string[]> = {};
for (const [short, fulls] of Object.entries(NICKNAMES))
  for (const full of fulls) SHORT_FORMS[full] = [...(SHORT_FORMS[full] ?? []), short];

/** 1 for the same name, 0.95 for a nickname of it, 0.85 for a matching initial, else Jaro-Winkler. */
export const firstNameSimilarity = (a: string, b: string): number =>
  plainFirstSimilarity(plainText(a).split(' ')[0] ?? '', plainText(b).split(' ')[0] ?? '');

/** firstNameSimilarity of two plain first words (a fingerprint's are plain already: no transliteration per pair). */
const plainFirstSimilarity = (pa: string, pb: string): number => {
  if (!pa || !pb) return 0;
  if (pa === pb) return 1;
  const fa = formsOfPlain(pa);
  const fb = formsOfPlain(pb);
  if (fa.some((f) => fb.includes(f))) return 0.95;
  if ((pa.length === 1 && pb.startsWith(pa)) || (pb.length === 1 && pa.startsWith(pb))) return 0.85;
  return jaroWinkler(pa, pb);
};

/** Jaro-Winkler, with the common case (equal) answered without it. */
const alike = (a: string, b: string) => (a === b ? 1 : jaroWinkler(a, b));

/** Legal forms dropped from the end of a company name (and "the" from its start). */
const LEGAL_FORMS = new Set([
  'ab',
  'ag',
  'aps',
  'as',
  'asa',
  'bv',
  'co',
  'company',
  'corp',
  'corporation',
  'gmbh',
  'inc',
  'incorporated',
  'kg',
  'kk',
  'limited',
  'llc',
  'llp',
  'lp',
  'ltd',
  'nv',
  'oy',
  'oyj',
  'plc',
  'pte',
  'pty',
  'sa',
  'sarl',
  'sas',
  'se',
  'spa',
  'srl',
]);

/** A company's name without its legal form, plain: "ACME Inc." → "acme", "Müller GmbH & Co. KG" → "muller". */
export const companyCore = (company: string): string => {
  const words = plainText(company.replace(/&/g, ' ')).split(' ').filter(Boolean);
  if (words[0] === 'the' && words.length > 1) words.shift();
  while (words.length > 1 && LEGAL_FORMS.has(words[words.length - 1] as string)) words.pop();
  return words.join(' ');
};

/** Second-level labels that are not the company (acme.co.uk is acme). */
const PUBLIC_SECOND_LEVEL = new Set(['co', 'com', 'org', 'net', 'ac', 'gov', 'edu', 'ltd', 'plc']);

/** The company a domain names: "mail.acme.co.uk" → "acme". */
export const companyOfDomain = (domain: string): string | undefined => {
  const labels = domain.toLowerCase().split('.').filter(Boolean);
  if (labels.length < 2) return undefined;
  labels.pop();
  if (labels.length > 1 && PUBLIC_SECOND_LEVEL.has(labels[labels.length - 1] as string)) labels.pop();
  const label = labels[labels.length - 1];
  return label ? plainText(label) : undefined;
};

/** What fuzzy matching compares: plain name parts, company core, E.164 phone, email. Kept with the blocking keys. */
export type Fingerprint = {
  id: string;
  /** Once the lead converted (or was kept as a contact): the contact and account it became. */
  contactId?: string;
  accountId?: string;
  first?: string;
  last?: string;
  company?: string;
  phone?: string;
  email?: string;
};

type Person = {
  firstName?: string;
  lastName?: string;
  company?: string;
  companyDomain?: string;
  phone?: string;
  email?: string;
};

export const fingerprintOf = (id: string, lead: Person): Fingerprint => {
  const first = lead.firstName ? plainText(lead.firstName) : '';
  const last = lead.lastName ? plainText(lead.lastName) : '';
  const company = lead.company
    ? companyCore(lead.company)
    : lead.companyDomain
      ? (companyOfDomain(lead.companyDomain) ?? '')
      : '';
  return {
    id,
    ...(first ? { first } : {}),
    ...(last ? { last } : {}),
    ...(company ? { company } : {}),
    ...(lead.phone ? { phone: lead.phone } : {}),
    ...(lead.email ? { email: lead.email } : {}),
  };
};

/**
 * Where similar people meet without a scan: one key per full first name a first name may stand for,
 * with the last name, and one for last name at company. A lead without a last name gets none (a first
 * name alone is no block). Values are plain words, like the exact keys' values.
 */
export const blockingValuesOf = (fp: Fingerprint): string[] => {
  if (!fp.last) return [];
  const values = new Set<string>();
  for (const form of fp.first ? firstNameForms(fp.first) : []) values.add(`n:${form} ${fp.last}`);
  if (fp.company) values.add(`c:${fp.last} ${fp.company}`);
  return [...values];
};

export type Similarity = { score: number; fields: SimilarField[] };
export type SimilarField = 'name' | 'company' | 'phone' | 'email' | 'domain';

const WEIGHTS: Record<SimilarField, number> = { name: 0.5, company: 0.2, phone: 0.2, email: 0.1, domain: 0.1 };
/** A field at least this similar counts as matched. */
const MATCHED = 0.9;

const localPart = (email: string) => email.slice(0, email.lastIndexOf('@'));
const domainPart = (email: string) => email.slice(email.lastIndexOf('@') + 1);

/** The e-mail local parts a person's name would make: jon, jonathan, jsmith, jon.smith, smith… */
const localPartsOf = (fp: Fingerprint): string[] => {
  const firsts = fp.first
    ? formsOfPlain(fp.first.split(' ')[0] ?? '').flatMap((f) => [f, ...(SHORT_FORMS[f] ?? [])])
    : [];
  const last = fp.last?.replace(/ /g, '') ?? '';
  const out = new Set<string>(firsts);
  if (last) {
    out.add(last);
    for (const f of firsts) for (const sep of ['', '.', '_', '-']) out.add(`${f}${sep}${last}`);
    if (fp.first) for (const sep of ['', '.']) out.add(`${fp.first[0]}${sep}${last}`);
  }
  return [...out];
};

const localPartSimilarity = (email: string, other: Fingerprint): number => {
  const local = localPart(email).replace(/\+.*$/, '');
  const forms = localPartsOf(other);
  return forms.length === 0 ? 0 : Math.max(...forms.map((f) => (f === local ? 1 : jaroWinkler(local, f))));
};

/** The mailbox an address reaches: without a +tag, and without dots in the local part. */
const mailbox = (email: string) => `${localPart(email).replace(/\+.*$/, '').replace(/\./g, '')}@${domainPart(email)}`;

const lastDigits = (phone: string) => phone.replace(/\D/g, '').slice(-7);

/**
 * How alike two people are, 0…1, and which fields agree. Only fields both sides have are compared;
 * names must be close (a different person at the same company is not a duplicate). The weighted mean
 * of the compared fields is then discounted by how much independent evidence backs the name: none
 * ×0.85, one field ×0.92, two or more ×1 — so the same name at the same company is a *possible*
 * duplicate, and it takes a second matching field (phone, the same mailbox) to be a sure one.
 * An e-mail local part that merely spells the other's name is shown as matched but is no independent evidence.
 */
export const similarity = (a: Fingerprint, b: Fingerprint): Similarity => {
  if (!a.last || !b.last) return { score: 0, fields: [] };
  const last = alike(a.last, b.last);
  const name =
    a.first && b.first
      ? 0.4 * plainFirstSimilarity(a.first.split(' ')[0] ?? '', b.first.split(' ')[0] ?? '') + 0.6 * last
      : 0.9 * last;
  if (name < 0.85) return { score: 0, fields: [] };

  const compared: { field: SimilarField; s: number; independent: boolean }[] = [
    { field: 'name', s: name, independent: false },
  ];
  if (a.company && b.company) compared.push({ field: 'company', s: alike(a.company, b.company), independent: true });
  if (a.phone && b.phone) {
    // A different number is weak evidence against: people have an office and a mobile line.
    const s = a.phone === b.phone ? 1 : lastDigits(a.phone) === lastDigits(b.phone) ? 0.9 : 0.5;
    compared.push({ field: 'phone', s, independent: true });
  }
  if (a.email && b.email) {
    // Two mailboxes are the same or not: a shared prefix (ann.meyer.12 / ann.meyer.72) proves nothing,
    // and another mailbox is weak evidence against (people have a work and a private one).
    const same = mailbox(a.email) === mailbox(b.email);
    compared.push({ field: 'email', s: same ? 1 : 0.5, independent: same });
    const [da, db] = [domainPart(a.email), domainPart(b.email)];
    // Two gmail.com addresses say nothing about the person.
    if (!isFreeMail(da) || !isFreeMail(db))
      compared.push({ field: 'domain', s: da === db ? 1 : 0, independent: false });
  } else if (a.email || b.email) {
    const [withMail, other] = a.email ? [a.email, b] : [b.email as string, a];
    compared.push({ field: 'email', s: localPartSimilarity(withMail, other), independent: false });
  }

  const weight = compared.reduce((sum, c) => sum + WEIGHTS[c.field], 0);
  const mean = compared.reduce((sum, c) => sum + WEIGHTS[c.field] * c.s, 0) / weight;
  const evidence = compared.filter((c) => c.independent && c.s >= MATCHED).length;
  const score = mean * (evidence >= 2 ? 1 : evidence === 1 ? 0.92 : 0.85);
  return {
    score: Math.round(score * 1000) / 1000,
    fields: compared.filter((c) => c.s >= MATCHED).map((c) => c.field),
  };
};
