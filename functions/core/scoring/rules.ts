import type { Lead } from '../lead';
import { consentsTo } from '../privacy/consent';
import type { PointsRule } from './points-config';

/** Behaviour counts recorded on a lead after capture ("form-revisit": 2). */
export type ScorableLead = Lead & { behaviour?: Record<string, number> };

const COMPLETENESS_FIELDS = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'company',
  'jobTitle',
  'website',
  'country',
] as const;

/** Share of the profile fields a lead has filled (0–1). */
export const completenessOf = (lead: ScorableLead): number =>
  COMPLETENESS_FIELDS.filter((f) => typeof lead[f] === 'string' && (lead[f] as string).length > 0).length /
  COMPLETENESS_FIELDS.length;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Compiled once per keyword: training evaluates every rule on every outcome.
const wordPatterns = new Map<string, RegExp>();
const wordPattern = (keyword: string): RegExp => {
  let pattern = wordPatterns.get(keyword);
  if (!pattern) {
    pattern = new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(keyword)}($|[^\\p{L}\\p{N}])`, 'iu');
    wordPatterns.set(keyword, pattern);
  }
  return pattern;
};
const titleMatch = (title: string | undefined, keywords: readonly string[]): string | undefined =>
  title === undefined ? undefined : keywords.find((k) => wordPattern(k).test(title));

const flag = (fires: unknown, reason: string): RuleHit => ({ strength: fires ? 1 : 0, units: fires ? 1 : 0, reason });

const list = (values: readonly string[]) =>
  values.length <= 3 ? values.join(', ') : `${values.slice(0, 3).join(', ')}…`;

/** `strength` is the feature value (0–1); `units` multiplies the rule's points. */
export type RuleHit = { strength: number; units: number; reason: string };

/**
 * How strongly a rule fires on a lead (0 = not at all, 1 = fully; behaviour rules count
 * occurrences up to their cap) and the words that explain it.
 */
export const evaluateRule = (rule: PointsRule, lead: ScorableLead): RuleHit => {
  const say = (fallback: string) => rule.reason ?? fallback;
  switch (rule.when) {
    case 'titleContains': {
      const hit = titleMatch(lead.jobTitle, rule.keywords);
      return flag(hit, say(`title contains ${hit ?? list(rule.keywords)}`));
    }
    case 'freeMail':
      return flag(lead.freeMail === true, say('free-mail address'));
    case 'companyDomain':
      return flag(lead.companyDomain && lead.freeMail !== true, say('company email domain'));
    case 'countryIn':
      return flag(
        lead.country && rule.countries.includes(lead.country),
        say(`country ${lead.country ?? list(rule.countries)}`),
      );
    case 'sourceIn':
      return flag(rule.sources.includes(lead.sourceId), say(`source ${lead.sourceId}`));
    case 'campaignIn':
      return flag(
        lead.campaign && rule.campaigns.includes(lead.campaign),
        say(`campaign ${lead.campaign ?? list(rule.campaigns)}`),
      );
    case 'marketingConsent':
      // The current answer (a later withdrawal or grant wins over the capture's), as events and deliveries read it.
      return flag(consentsTo(lead), say('marketing consent given'));
    case 'completeness': {
      const share = completenessOf(lead);
      return flag(share >= rule.atLeast, say(`profile ${Math.round(share * 100)}% complete`));
    }
    case 'behaviour': {
      const count = Math.max(0, Math.floor(lead.behaviour?.[rule.event] ?? 0));
      const used = Math.min(count, rule.max);
      return { strength: used / rule.max, units: used, reason: say(`${used}× ${rule.event}`) };
    }
  }
};

/** A stable name per rule, used as the learned model's feature names. */
export const featureName = (rule: PointsRule): string => {
  switch (rule.when) {
    case 'titleContains':
      return `title:${rule.keywords.join('|')}`;
    case 'countryIn':
      return `country:${rule.countries.join('|')}`;
    case 'sourceIn':
      return `source:${rule.sources.join('|')}`;
    case 'campaignIn':
      return `campaign:${rule.campaigns.join('|')}`;
    case 'completeness':
      return `completeness>=${rule.atLeast}`;
    case 'behaviour':
      return `behaviour:${rule.event}`;
    default:
      return rule.when;
  }
};
