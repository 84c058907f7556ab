import { describe, expect, it } from '@jest/globals';
import { criterionSchema, DEFAULT_STAGES, stagesConfigSchema } from '../../functions/core/lifecycle/stages-config';
import {
  blank,
  CRITERION_KINDS,
  type Criterion,
  kindOf,
  newStep,
  type Settings,
  scalar,
  validateSteps,
} from '../../console/src/stage-steps-model';

/** The API's field paths for a stages document, as the console receives them in problem+json. */
const serverPaths = (value: unknown): string[] => {
  const parsed = stagesConfigSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => ['value', ...i.path].join('.')).sort();
};

const withAssigned = (assigned: Partial<Settings>) => ({
  ...DEFAULT_STAGES,
  Assigned: { ...DEFAULT_STAGES.Assigned, ...assigned },
});

describe('the stage steps editor agrees with the stages schema', () => {
  it('flags a freshly added step where the API would, and a filled-in one passes both', () => {
    const blankStep = withAssigned({ steps: [newStep()] });
    const local = Object.keys(validateSteps('value.Assigned', blankStep.Assigned as Settings)).sort();
    expect(local).toEqual(['value.Assigned.steps.0.name', 'value.Assigned.steps.0.outcomes']);
    expect(serverPaths(blankStep)).toEqual(local);

    const filled = withAssigned({
      steps: [
        {
          ...newStep(),
          name: 'Discovery call',
          assignee: 'user',
          user: 'carol',
          outcomes: ['meeting held', 'not interested'],
          actions: { 'not interested': { action: 'disqualify', reason: 'not interested' } },
        },
      ],
    });
    expect(validateSteps('value.Assigned', filled.Assigned as Settings)).toEqual({});
    expect(serverPaths(filled)).toEqual([]);

    const nobody = withAssigned({
      steps: [{ ...newStep(), name: 'x', outcomes: ['done'], assignee: 'user', user: '' }],
    });
    expect(Object.keys(validateSteps('value.Assigned', nobody.Assigned as Settings))).toEqual([
      'value.Assigned.steps.0.user',
    ]);
    expect(serverPaths(nobody)).toContain('value.Assigned.steps.0.user');
  });

  it('starts every condition kind as a value of that kind that the API accepts once its words are filled in', () => {
    for (const { kind } of CRITERION_KINDS) {
      const c = blank(kind, 'company');
      expect(kindOf(c)).toBe(kind);
      const filled: Criterion =
        'outcome' in c ? { ...c, outcome: 'meeting held' } : 'in' in c ? { ...c, in: ['DE'] } : c;
      expect(criterionSchema.safeParse(filled).success).toBe(true);
    }
    const empty = withAssigned({ criteria: { qualify: [blank('present', ''), blank('outcome', '')] } });
    const local = Object.keys(validateSteps('value.Assigned', empty.Assigned as Settings)).sort();
    expect(local).toEqual(['value.Assigned.criteria.qualify.0.field', 'value.Assigned.criteria.qualify.1.outcome']);
    expect(serverPaths(empty)).toEqual(expect.arrayContaining(local));
  });

  it('types an equals value by its text', () => {
    expect([scalar('true'), scalar('false'), scalar('42'), scalar('-1.5'), scalar('007'), scalar('DE')]).toEqual([
      true,
      false,
      42,
      -1.5,
      '007',
      'DE',
    ]);
  });
});
