import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Metadata key holding why each skipped cfn-lint check is skipped (cfn-lint reads only its own key). */
export const LINT_REASONS_KEY = 'leadflow:cfn-lint-reasons';

const cfnOf = (construct: IConstruct): CfnResource => {
  const cfn = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(cfn instanceof CfnResource))
    throw new Error(
      `${construct.node.path}: expected a CloudFormation resource or a construct with one as its default child`,
    );
  return cfn;
};

/**
 * Tells AWS's CloudFormation linter (cfn-lint) to skip one check on one resource, for a finding we
 * cannot fix at the source. The template carries the skip (`Metadata.cfn-lint.config.ignore_checks`)
 * and its reason (`Metadata.leadflow:cfn-lint-reasons`), so `test/infra/cfn-lint.test.ts` can insist
 * that every skip says why.
 */
export const ignoreLintCheck = (construct: IConstruct, check: string, reason: string): void => {
  if (!/^[EWI]\d{4}$/.test(check)) throw new Error(`cfn-lint check ids look like W3005, received "${check}"`);
  if (reason.trim().length < 40)
    throw new Error(
      `skipping cfn-lint ${check} on ${construct.node.path} needs a real reason (40+ characters), received "${reason}"`,
    );
  const cfn = cfnOf(construct);
  const lint = (cfn.getMetadata('cfn-lint') ?? {}) as { config?: { ignore_checks?: string[] } };
  const checks = new Set([...(lint.config?.ignore_checks ?? []), check]);
  cfn.addMetadata('cfn-lint', { ...lint, config: { ...lint.config, ignore_checks: [...checks] } });
  cfn.addMetadata(LINT_REASONS_KEY, {
    ...((cfn.getMetadata(LINT_REASONS_KEY) ?? {}) as Record<string, string>),
    [check]: reason,
  });
};

/**
 * The CDK makes every Lambda function and state machine it builds depend on its role *construct*
 * (`resource.node.addDependency(this.role)`), so that the role's inline policy exists before the
 * first invocation. That dependency is rendered as `DependsOn` on both the role and its policy;
 * the one on the role repeats what the `GetAtt Role.Arn` already orders, which cfn-lint W3005 reports.
 * The policy half is needed and cannot be kept without the other, so the check is skipped there.
 */
export const ignoreRoleDependsOn = (resource: IConstruct): void =>
  ignoreLintCheck(
    resource,
    'W3005',
    'The CDK adds DependsOn on the whole role construct (role and its inline policy) so the policy exists before the first run; the role half repeats the GetAtt Role.Arn ordering.',
  );
