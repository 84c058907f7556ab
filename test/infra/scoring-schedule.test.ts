import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from '@jest/globals';
import { SCORING_TRAIN_FUNCTION } from '../../lib/leadflow-stack';
import { buildApp } from './stack-fixture';
import { type Resource, resourcesFor, statementsOfRole } from './template-helpers';

/** The learned scoring model is retrained on AWS by EventBridge Scheduler invoking the training function. */
const scheduleOf = (context: Record<string, unknown> = {}) => {
  const { stack } = buildApp({ context });
  const template = Template.fromStack(stack);
  const train = stack.functions[SCORING_TRAIN_FUNCTION];
  if (!train) throw new Error('no scoringTrain function in the stack');
  const trainId = stack.getLogicalId(train.fn.node.defaultChild as CfnFunction);
  // Other schedules (the due sweep) share the template; only those targeting the training function count here.
  const schedules = Object.values(
    template.findResources('AWS::Scheduler::Schedule') as Record<string, Resource>,
  ).filter((s) =>
    JSON.stringify((s.Properties as { Target?: unknown } | undefined)?.Target ?? {}).includes(`"${trainId}"`),
  );
  return { template, schedules, trainId };
};

describe('the scoring model schedule', () => {
  it('invokes the training function once a day by default, with a role that may invoke only that function', () => {
    const { template, schedules, trainId } = scheduleOf();

    expect(schedules).toHaveLength(1);
    const props = schedules[0]?.Properties as {
      ScheduleExpression: string;
      State?: string;
      Target: {
        Arn: unknown;
        RoleArn: { 'Fn::GetAtt': [string, string] };
        RetryPolicy?: { MaximumRetryAttempts?: number };
      };
    };
    expect(props.ScheduleExpression).toBe('rate(1 day)');
    expect(props.Target.Arn).toEqual({ 'Fn::GetAtt': [trainId, 'Arn'] });
    expect(props.Target.RetryPolicy?.MaximumRetryAttempts).toBe(2);
    const statements = statementsOfRole(template, props.Target.RoleArn['Fn::GetAtt'][0]);
    const invokable = resourcesFor(statements, 'lambda:InvokeFunction');
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.every((s) => [s.Action].flat().every((a) => a === 'lambda:InvokeFunction'))).toBe(true);
    expect(invokable.length).toBeGreaterThan(0);
    expect(invokable.every((r) => r.includes(trainId))).toBe(true);
  });

  it('takes its expression from context scoringTrainSchedule and refuses one Scheduler would not accept', () => {
    const { schedules } = scheduleOf({ scoringTrainSchedule: 'cron(0 3 * * ? *)' });

    expect(schedules[0]?.Properties).toMatchObject({ ScheduleExpression: 'cron(0 3 * * ? *)' });
    expect(() => scheduleOf({ scoringTrainSchedule: 'every day' })).toThrow(
      /scoringTrainSchedule must be rate\(…\), cron\(…\) or at\(…\), received "every day"/,
    );
  });
});
