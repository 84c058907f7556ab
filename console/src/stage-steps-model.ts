import type { Schemas } from './api/client';

/** The stage steps and criteria editors' pure part: blanks, browser checks and typed values, without JSX. */

export type Settings = Schemas['StageSettings'];
export type Step = NonNullable<Settings['steps']>[number];
export type Criterion = Schemas['Criteria'][number];
export type OutcomeAction = NonNullable<Step['actions']>[string]['action'];

export const KINDS: Step['kind'][] = ['call', 'email', 'meeting', 'task', 'review'];
export const OUTCOME_ACTIONS: OutcomeAction[] = ['qualify', 'handoff', 'disqualify', 'convert'];
/** The transitions sales ops set criteria for (distribute and disqualify need none). */
export const CRITERIA_ACTIONS = ['qualify', 'handoff', 'convert'] as const;
export const BANDS = ['A', 'B', 'C', 'D'] as const;
/** Suggestions only: any lead field path (customFields.x too) and any activity type scoring knows are accepted. */
export const FIELDS = [
  'company',
  'jobTitle',
  'phone',
  'country',
  'companyDomain',
  'leadType',
  'sourceId',
  'expectedValue',
];
export const ACTIVITIES = ['email-reply', 'email-open', 'meeting', 'call', 'form-revisit'];

export const newStep = (): Step => ({
  name: '',
  kind: 'call',
  assignee: 'owner',
  due: 'PT4H',
  required: false,
  outcomes: [],
});

/** The browser's own checks on a stage's steps and criteria, keyed by the API's field paths. */
export const validateSteps = (path: string, settings: Settings): Record<string, string> => {
  const issues: Record<string, string> = {};
  (settings.steps ?? []).forEach((step, k) => {
    const p = `${path}.steps.${k}`;
    if (!step.name.trim()) issues[`${p}.name`] = 'name the step';
    if (step.assignee === 'user' && !step.user) issues[`${p}.user`] = 'choose the person who does it';
    if (step.outcomes.length === 0) issues[`${p}.outcomes`] = 'add at least one outcome';
  });
  for (const action of CRITERIA_ACTIONS)
    (settings.criteria?.[action] ?? []).forEach((c, k) => {
      const p = `${path}.criteria.${action}.${k}`;
      if ('field' in c && !c.field.trim()) issues[`${p}.field`] = 'name the lead field';
      if ('outcome' in c && !c.outcome.trim()) issues[`${p}.outcome`] = 'name the outcome';
      if ('activity' in c && !c.activity.trim()) issues[`${p}.activity`] = 'name the activity';
    });
  return issues;
};

export type CriterionKind = 'present' | 'equals' | 'in' | 'scoreBand' | 'activity' | 'outcome';
export const CRITERION_KINDS: { kind: CriterionKind; label: string }[] = [
  { kind: 'present', label: 'a lead field is filled in' },
  { kind: 'equals', label: 'a lead field equals a value' },
  { kind: 'in', label: 'a lead field is one of some values' },
  { kind: 'scoreBand', label: 'the score band is at least' },
  { kind: 'activity', label: 'the lead shows an activity' },
  { kind: 'outcome', label: 'a step ended with an outcome' },
];

export const kindOf = (c: Criterion): CriterionKind =>
  'present' in c
    ? 'present'
    : 'equals' in c
      ? 'equals'
      : 'in' in c
        ? 'in'
        : 'scoreBand' in c
          ? 'scoreBand'
          : 'activity' in c
            ? 'activity'
            : 'outcome';

export const fieldOf = (c: Criterion): string => ('field' in c ? c.field : '');

export const blank = (kind: CriterionKind, field: string): Criterion =>
  kind === 'present'
    ? { field, present: true }
    : kind === 'equals'
      ? { field, equals: '' }
      : kind === 'in'
        ? { field, in: [] }
        : kind === 'scoreBand'
          ? { scoreBand: 'B' }
          : kind === 'activity'
            ? { activity: 'meeting', atLeast: 1 }
            : { outcome: '' };

/** "true"/"false" are booleans, plain numbers numbers, anything else text (the API compares typed values). */
export const scalar = (text: string): string | number | boolean =>
  text === 'true' ? true : text === 'false' ? false : /^-?(0|[1-9]\d*)(\.\d+)?$/.test(text) ? Number(text) : text;
