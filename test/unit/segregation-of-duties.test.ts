import { describe, expect, it } from '@jest/globals';
import { approvalsConfigSchema } from '../../functions/core/lifecycle/approvals-config';
import {
  excludedDecidersOf,
  firstEligible,
  selfDecisionRefusal,
} from '../../functions/core/lifecycle/segregation-of-duties';

describe('four-eyes approvals', () => {
  it('excludes whoever asked for the conversion and whoever decided an earlier step', () => {
    expect(excludedDecidersOf({}, { requestedBy: 'maria', deciders: ['victor', 'maria'] })).toEqual([
      'maria',
      'victor',
    ]);
    expect(excludedDecidersOf({ allowSelfApproval: false }, { requestedBy: 'maria' })).toEqual(['maria']);
    expect(excludedDecidersOf({}, null)).toEqual([]);
  });

  it('excludes nobody when the chain allows self-approval', () => {
    expect(excludedDecidersOf({ allowSelfApproval: true }, { requestedBy: 'maria', deciders: ['victor'] })).toEqual([]);
  });

  it('refuses the requester and an earlier decider with a reason that says which, and nobody else', () => {
    const task = { requestedBy: 'maria', excludedDeciders: ['maria', 'victor'] };
    expect(selfDecisionRefusal(task, 'maria')).toMatch(
      /you requested this conversion.*another approver must decide.*stays open/,
    );
    expect(selfDecisionRefusal(task, 'victor')).toMatch(/you decided an earlier step/);
    expect(selfDecisionRefusal(task, 'max')).toBeUndefined();
    // A task opened before the rule (no list) refuses nobody.
    expect(selfDecisionRefusal({}, 'maria')).toBeUndefined();
  });

  it('moves a step past excluded candidates to the first eligible one', () => {
    expect(firstEligible(['maria', undefined, 'max', 'olga'], ['maria'])).toBe('max');
    expect(firstEligible(['maria'], ['maria'])).toBeUndefined();
  });

  it('defaults allowSelfApproval to absent (four eyes) and accepts it as a boolean only', () => {
    const chain = {
      name: 'c',
      when: {},
      steps: [{ name: 's', group: 'manager', timeout: 'PT1H' }],
      onReject: 'disqualify',
    };
    expect(approvalsConfigSchema.parse({ chains: [chain] }).chains[0]?.allowSelfApproval).toBeUndefined();
    expect(
      approvalsConfigSchema.parse({ chains: [{ ...chain, allowSelfApproval: true }] }).chains[0]?.allowSelfApproval,
    ).toBe(true);
    expect(approvalsConfigSchema.safeParse({ chains: [{ ...chain, allowSelfApproval: 'yes' }] }).success).toBe(false);
  });
});
