import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from '@jest/globals';
import { buildApp } from './stack-fixture';

const ALIAS = 'arn:aws:lex:eu-central-1:123456789012:bot-alias/LFDEMOBOT1/TSTALIASID';

const configWith = (chatbot: Record<string, unknown>) => {
  const config = JSON.parse(readFileSync(join(import.meta.dirname, '../../leadflow.config.json'), 'utf8')) as {
    sources: Record<string, unknown>[];
  };
  config.sources = [...config.sources.filter((s) => s.kind !== 'chatbot'), chatbot];
  const file = join(mkdtempSync(join(tmpdir(), 'leadflow-chatbot-')), 'leadflow.config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
};

describe('the chatbot code hook on AWS', () => {
  it('lets exactly the configured Lex bot aliases invoke the chatbot function, and nothing else', () => {
    const configFile = configWith({
      id: 'site-bot',
      kind: 'chatbot',
      adapter: 'lex-v2',
      botId: 'LFDEMOBOT1',
      botAliasArns: [ALIAS],
    });
    const { stack } = buildApp({ context: { configFile } });
    const template = Template.fromStack(stack);
    const fn = stack.functions.captureChatbot;
    if (!fn) throw new Error('no captureChatbot function');
    const fnRef = { 'Fn::GetAtt': [stack.getLogicalId(fn.fn.node.defaultChild as CfnFunction), 'Arn'] };
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: fnRef,
      Principal: 'lexv2.amazonaws.com',
      SourceArn: ALIAS,
    });
    const lexPermissions = Object.values(
      template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'lexv2.amazonaws.com' } }),
    );
    expect(lexPermissions).toHaveLength(1);
    // Lex calls the function directly: it is on no API route.
    template.resourcePropertiesCountIs(
      'AWS::ApiGatewayV2::Integration',
      { IntegrationUri: Match.objectLike(fnRef) },
      0,
    );
  });

  it('refuses a chatbot source without its bot, or with an alias that is not a Lex bot alias ARN', () => {
    expect(() =>
      buildApp({ context: { configFile: configWith({ id: 'site-bot', kind: 'chatbot', adapter: 'lex-v2' }) } }),
    ).toThrow(/botId/);
    expect(() =>
      buildApp({
        context: {
          configFile: configWith({
            id: 'site-bot',
            kind: 'chatbot',
            botId: 'LFDEMOBOT1',
            botAliasArns: ['arn:aws:iam::123456789012:role/x'],
          }),
        },
      }),
    ).toThrow(/botAliasArns/);
  });
});
