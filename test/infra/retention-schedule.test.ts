import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from '@jest/globals';
import { privacyConfig } from '../../functions/core/privacy/privacy-config';
import { StorageBuckets } from '../../lib/storage-buckets';
import { buildApp } from './stack-fixture';
import { type Resource, resourcesFor, statementsOfRole } from './template-helpers';

type Rule = { Id?: string; Prefix?: string; ExpirationInDays?: number; Status: string };
const rulesOf = (template: Template, bucketId: string) => {
  const bucket = (template.findResources('AWS::S3::Bucket') as Record<string, Resource>)[bucketId];
  if (!bucket) throw new Error(`no bucket ${bucketId}`);
  return (bucket.Properties as { LifecycleConfiguration: { Rules: Rule[] } }).LifecycleConfiguration.Rules;
};

describe('privacy retention on AWS', () => {
  const { stack } = buildApp();
  const template = Template.fromStack(stack);

  it('runs the retention sweep once a day, with a role that may invoke only that function', () => {
    const sweep = stack.functions.retentionSweep;
    if (!sweep) throw new Error('no retentionSweep function in the stack');
    const sweepId = stack.getLogicalId(sweep.fn.node.defaultChild as CfnFunction);
    const schedules = Object.values(
      template.findResources('AWS::Scheduler::Schedule') as Record<string, Resource>,
    ).filter((s) => JSON.stringify((s.Properties as { Target?: unknown }).Target ?? {}).includes(`"${sweepId}"`));
    expect(schedules).toHaveLength(1);
    const props = schedules[0]?.Properties as {
      ScheduleExpression: string;
      Target: { Arn: unknown; RoleArn: { 'Fn::GetAtt': [string, string] } };
    };
    expect(props.ScheduleExpression).toBe('rate(1 day)');
    expect(props.Target.Arn).toEqual({ 'Fn::GetAtt': [sweepId, 'Arn'] });
    const statements = statementsOfRole(template, props.Target.RoleArn['Fn::GetAtt'][0]);
    expect(statements.every((s) => [s.Action].flat().every((a) => a === 'lambda:InvokeFunction'))).toBe(true);
    expect(resourcesFor(statements, 'lambda:InvokeFunction').every((r) => r.includes(sweepId))).toBe(true);
  });

  it('ages import files and map results out by prefix, with the days of the privacy configuration’s seed', () => {
    const seed = privacyConfig.defaultValue.retention;
    const rules = rulesOf(template, stack.getLogicalId(stack.buckets.imports.node.defaultChild as never));
    const byPrefix = Object.fromEntries(rules.filter((r) => r.Prefix).map((r) => [r.Prefix, r.ExpirationInDays]));
    expect(byPrefix).toEqual({
      'imports/': seed.deleteImportFilesAfterDays,
      'import-work/': seed.deleteImportFilesAfterDays,
      'import-results/': seed.deleteRejectedRowsAfterDays,
    });
    expect(rules.every((r) => r.Status === 'Enabled')).toBe(true);
  });

  it('takes other days when the construct is told (the seed is only the default)', () => {
    const other = new Stack(new App(), 'Other');
    const buckets = new StorageBuckets(other, 'Storage', { importRetentionDays: 7, rejectedRowsRetentionDays: 3 });
    // Read from the construct (no synth needed for one bucket's rules).
    const config = other.resolve((buckets.imports.node.defaultChild as CfnBucket).lifecycleConfiguration) as {
      rules: { id: string; expirationInDays: number }[];
    };
    expect(Object.fromEntries(config.rules.map((r) => [r.id, r.expirationInDays]))).toEqual({
      ImportUploads: 7,
      ImportWork: 7,
      ImportResults: 3,
      ImportOther: 7,
    });
  });
});
