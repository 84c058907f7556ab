import type { Template } from 'aws-cdk-lib/assertions';

export type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The statements of every AWS::IAM::Policy attached to the role with this logical id. */
export const statementsOfRole = (template: Template, roleLogicalId: string): Statement[] =>
  Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((p) =>
      asArray(p.Properties?.Roles as unknown[]).some(
        (r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId }),
      ),
    )
    .flatMap((p) => ((p.Properties?.PolicyDocument ?? { Statement: [] }) as { Statement: Statement[] }).Statement);

export const actionsOf = (statements: Statement[]): Set<string> =>
  new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => asArray(s.Action)));

/** Resources an action is allowed on, as JSON strings (so references compare by logical id). */
export const resourcesFor = (statements: Statement[], action: string): string[] =>
  statements
    .filter((s) => asArray(s.Action).includes(action))
    .flatMap((s) => asArray(s.Resource).map((r) => JSON.stringify(r)));
