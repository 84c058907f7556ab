import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { IMPORT_STEPS } from '../../functions/import-batch/handler';

/** asl-validator ships no types; this is the part of its API the tests use. */
const aslValidator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errorsText(separator?: string): string;
};

const PATH = join(import.meta.dirname, '..', '..', 'statemachines', 'lead-import.asl.json');
const text = readFileSync(PATH, 'utf8');
const definition = JSON.parse(text) as { States: Record<string, Record<string, unknown>> };

type Node = Record<string, unknown>;
const walk = (node: unknown, visit: (n: Node) => void) => {
  if (Array.isArray(node)) for (const n of node) walk(n, visit);
  else if (node && typeof node === 'object') {
    visit(node as Node);
    for (const v of Object.values(node)) walk(v, visit);
  }
};

describe('the import state machine', () => {
  it('is valid Amazon States Language', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid, errorsText('\n')).toBe(true);
  }, 30_000); // the validator compiles its JSON schemas on first use

  it('is caught by the validator when a state is broken (the check above can fail)', () => {
    const broken = structuredClone(definition);
    (broken.States.ImportRows as Node).Next = 'NoSuchState';
    expect(aslValidator(broken).isValid).toBe(false);
  }, 30_000);

  it('reads the normalised CSV with a Distributed Map in batches, processed by Express child executions', () => {
    const map = definition.States.ImportRows as Node & {
      ItemReader: Node;
      ItemBatcher: Node;
      ItemProcessor: { ProcessorConfig: Node };
    };
    expect(map.Type).toBe('Map');
    expect(map.ItemReader).toMatchObject({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
    });
    expect(map.ItemBatcher).toMatchObject({
      MaxItemsPerBatchPath: '$.file.batchSize',
      BatchInput: { 'jobId.$': '$.file.jobId' },
    });
    expect(map.MaxConcurrencyPath).toBe('$.file.maxConcurrency');
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
    expect(map.ResultWriter).toBeDefined();
  });

  it('calls only the import function, with steps it implements', () => {
    const steps: unknown[] = [];
    const functions = new Set<unknown>();
    walk(definition, (n) => {
      if (n.Resource === 'arn:aws:states:::lambda:invoke') {
        const parameters = n.Parameters as { FunctionName: unknown; Payload: { step: unknown } };
        functions.add(parameters.FunctionName);
        steps.push(parameters.Payload.step);
      }
    });
    expect([...functions]).toEqual([`\${ImportBatchFunctionArn}`]);
    expect(new Set(steps)).toEqual(new Set(IMPORT_STEPS));
  });

  it('names exactly the DefinitionSubstitutions documented for the stack', () => {
    const names = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    // docs/import.md until it is merged into the README.
    const root = join(import.meta.dirname, '..', '..');
    const doc = [join(root, 'docs', 'import.md'), join(root, 'README.md')]
      .map((p) => (existsSync(p) ? readFileSync(p, 'utf8') : ''))
      .join('\n');
    expect([...names]).toEqual(['ImportBatchFunctionArn']);
    for (const name of names) expect(doc).toContain(`\`${name}\``);
  });

  it('never reads context fields the local engine cannot supply', () => {
    expect(text).not.toMatch(/\$\$\.State\./);
  });
});
