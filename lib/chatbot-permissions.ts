import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { SourceConfig } from '../functions/core/sources';

/**
 * Amazon Lex V2 calls a code hook as a Lambda function, with no HTTP and no signature: what keeps
 * anyone else's bot out is the function's resource policy, one statement per configured bot alias.
 */
export const allowChatbotAliases = (fn: IFunction, sources: readonly SourceConfig[]): number => {
  let granted = 0;
  for (const source of sources) {
    if (source.kind !== 'chatbot') continue;
    for (const [i, aliasArn] of (source.botAliasArns ?? []).entries()) {
      fn.addPermission(`LexInvoke-${source.id}-${i}`, {
        principal: new ServicePrincipal('lexv2.amazonaws.com'),
        action: 'lambda:InvokeFunction',
        sourceArn: aliasArn,
      });
      granted++;
    }
  }
  return granted;
};
