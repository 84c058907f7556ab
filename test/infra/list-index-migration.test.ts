import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from '@jest/globals';
import { TABLE } from '../../functions/adapters/table-definition';
import { loadConfig } from '../../lib/config';
import { LeadsTable, type ListIndexMigrationStep } from '../../lib/leads-table';

type Gsi = { IndexName: string; Projection: { ProjectionType: string } };

const indexesAt = (step: ListIndexMigrationStep | undefined) => {
  const stack = new Stack(new App(), 'T');
  new LeadsTable(stack, 'Leads', { listIndexMigration: step });
  const [table] = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table'));
  const gsis = (table?.Properties.GlobalSecondaryIndexes ?? []) as Gsi[];
  return new Map(gsis.map((g) => [g.IndexName, g.Projection.ProjectionType]));
};

/** The table an existing stack has before this change: every index projects every attribute. */
const FORMER = new Map(
  Object.values(TABLE.indexes).map((i) => ['former' in i ? i.former : i.name, 'ALL'] as [string, string]),
);

describe('moving an existing table to the lean list indexes', () => {
  it('changes one index per deploy (CloudFormation creates or deletes one GSI per table update)', () => {
    const steps = [
      FORMER,
      indexesAt('add-owner'),
      indexesAt('add-stage'),
      indexesAt('drop-owner'),
      indexesAt(undefined),
    ];
    const changes = steps.slice(1).map((now, i) => {
      const was = steps[i] as Map<string, string>;
      const added = [...now.keys()].filter((n) => !was.has(n));
      const removed = [...was.keys()].filter((n) => !now.has(n));
      const altered = [...now.keys()].filter((n) => was.has(n) && was.get(n) !== now.get(n));
      return { added, removed, altered };
    });

    expect(changes).toEqual([
      { added: ['byOwnerLean'], removed: [], altered: [] },
      { added: ['byStageLean'], removed: [], altered: [] },
      { added: [], removed: ['byOwner'], altered: [] },
      { added: [], removed: ['byStage'], altered: [] },
    ]);
    expect(indexesAt(undefined).get('byOwnerLean')).toBe('INCLUDE');
    expect(indexesAt('add-owner').get('byOwner')).toBe('ALL');
  });

  it('takes the step from context and refuses an unknown one', () => {
    expect(loadConfig(new App({ context: { listIndexMigration: 'add-stage' } })).listIndexMigration).toBe('add-stage');
    expect(loadConfig(new App()).listIndexMigration).toBeUndefined();
    expect(() => loadConfig(new App({ context: { listIndexMigration: 'all-at-once' } }))).toThrow(
      /listIndexMigration must be one of add-owner, add-stage, drop-owner/,
    );
  });
});
