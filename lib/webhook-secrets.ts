import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsCustomResource, AwsCustomResourcePolicy, Logging, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Fn } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { SourceConfig } from '../functions/core/sources';

export type WebhookSecretsProps = {
  /** Sources from configuration; each of kind `webhook` gets one secret. */
  readonly sources: readonly SourceConfig[];
  /** Name prefix: the secret of source `s` is `<prefix>s`. */
  readonly prefix: string;
};

/**
 * One Secrets Manager secret per webhook source, named `<prefix><sourceId>`, holding a Standard
 * Webhooks secret `whsec_<base64>`. Secrets Manager cannot prefix a generated value, so the secret is
 * created empty-of-meaning (a generated placeholder) and, on first deploy only, a custom resource
 * draws 32 random characters from `GetRandomPassword` and writes `whsec_<them>`. Later deploys never
 * touch the value, so a rotation (docs/deploy.md) survives them.
 */
export class WebhookSecrets extends Construct {
  public readonly secrets: Secret[] = [];
  public readonly bySource = new Map<string, Secret>();

  constructor(scope: Construct, id: string, props: WebhookSecretsProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9/_+=.@-]*$/.test(props.prefix)) throw new Error(`webhook secret prefix "${props.prefix}" has characters Secrets Manager names do not allow`);
    const webhooks = props.sources.filter((s) => s.kind === 'webhook');
    for (const source of webhooks) {
      const secret = new Secret(this, source.id, {
        secretName: `${props.prefix}${source.id}`,
        description: `Standard Webhooks secret (whsec_…) of source ${source.id}${source.name ? ` (${source.name})` : ''}`,
        generateSecretString: { excludePunctuation: true, includeSpace: false, passwordLength: 32 },
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const random = new AwsCustomResource(this, `${source.id}Random`, {
        onCreate: {
          service: 'SecretsManager',
          action: 'getRandomPassword',
          parameters: { PasswordLength: 44, ExcludePunctuation: true, IncludeSpace: false },
          physicalResourceId: PhysicalResourceId.of(`${source.id}-whsec-random`),
          logging: Logging.withDataHidden(),
        },
        policy: AwsCustomResourcePolicy.fromStatements([new PolicyStatement({ actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] })]),
        installLatestAwsSdk: false,
      });
      const init = new AwsCustomResource(this, `${source.id}Init`, {
        onCreate: {
          service: 'SecretsManager',
          action: 'putSecretValue',
          parameters: { SecretId: secret.secretArn, SecretString: Fn.join('', ['whsec_', random.getResponseField('RandomPassword')]) },
          physicalResourceId: PhysicalResourceId.of(`${source.id}-whsec-init`),
          logging: Logging.withDataHidden(),
        },
        policy: AwsCustomResourcePolicy.fromStatements([new PolicyStatement({ actions: ['secretsmanager:PutSecretValue'], resources: [secret.secretArn] })]),
        installLatestAwsSdk: false,
      });
      init.node.addDependency(secret);
      Validations.of(random).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'secretsmanager:GetRandomPassword acts on no resource; IAM accepts only "*" for it.',
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'A webhook secret is shared with the sending platform; rotation is a coordinated manual step (docs/deploy.md), and the verifier accepts old and new signatures during it.',
      });
      this.secrets.push(secret);
      this.bySource.set(source.id, secret);
    }
  }
}
