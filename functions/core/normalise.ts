import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import type { FieldIssue } from './errors';
import { FREE_MAIL_DOMAINS } from './free-mail-domains';
import type { CanonicalLead } from './lead';

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** E.164, or null when the number cannot be a real one. */
export const normalisePhone = (phone: string, country?: string): string | null => {
  const parsed = parsePhoneNumberFromString(
    phone.trim(),
    country ? { defaultCountry: country as CountryCode } : undefined,
  );
  return parsed?.isValid() ? parsed.number : null;
};

export const domainOfEmail = (email: string): string | undefined => {
  const at = email.lastIndexOf('@');
  return at > 0 ? email.slice(at + 1).toLowerCase() : undefined;
};

export const domainOfWebsite = (website: string): string | undefined => {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(website) ? website : `https://${website}`;
  try {
    const host = new URL(withScheme).hostname.toLowerCase().replace(/\.$/, '');
    if (!host.includes('.')) return undefined;
    return host.startsWith('www.') ? host.slice(4) : host;
  } catch {
    return undefined;
  }
};

export const isFreeMail = (domain: string): boolean => FREE_MAIL_DOMAINS.has(domain.toLowerCase());

export type NormalisedLead = CanonicalLead & { emailDomain?: string; companyDomain?: string; freeMail?: boolean };

/**
 * Canonical form used for storage and duplicate keys. Idempotent: normalising twice changes nothing.
 * Returns field issues instead of throwing so the caller reports every problem at once.
 */
export const normaliseLead = (lead: CanonicalLead): { lead: NormalisedLead; issues: FieldIssue[] } => {
  const issues: FieldIssue[] = [];
  const out: NormalisedLead = { ...lead };
  if (lead.email) {
    out.email = normaliseEmail(lead.email);
    out.emailDomain = domainOfEmail(out.email);
    out.freeMail = out.emailDomain ? isFreeMail(out.emailDomain) : undefined;
  }
  if (lead.phone) {
    const phone = normalisePhone(lead.phone, lead.country);
    if (phone) out.phone = phone;
    else
      issues.push({
        field: 'phone',
        reason: 'not a valid phone number (use international format, e.g. +49 30 1234567, or give country)',
      });
  }
  const websiteDomain = lead.website ? domainOfWebsite(lead.website) : undefined;
  if (lead.website && !websiteDomain) issues.push({ field: 'website', reason: 'not a valid web address' });
  const companyDomain = websiteDomain ?? (out.emailDomain && !out.freeMail ? out.emailDomain : undefined);
  if (companyDomain && !isFreeMail(companyDomain)) out.companyDomain = companyDomain;
  if (!out.leadType) out.leadType = lead.company || out.companyDomain ? 'B2B' : 'B2C';
  return { lead: out, issues };
};
