import { CustomResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, LoggingFormat } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { SourceConfig } from '../functions/core/sources';
import { LAMBDA_RUNTIME } from './leadflow-function';
import { ignoreRoleDependsOn } from './cfn-lint';
import { acknowledgeFrameworkHandler } from './nag';

export type WebhookSecretsProps = {
  /** Sources from configuration; each of kind `webhook` gets one secret. */
  readonly sources: readonly SourceConfig[];
  /** Name prefix: the secret of source `s` is `<prefix>s`. */
  readonly prefix: string;
  /**
   * Days the initialiser's log group keeps logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
};

/**
 * Runs once per secret, on create only: writes `whsec_` + 32 random bytes in base64. The value is
 * made and stored inside the function — it never passes through CloudFormation, the custom resource's
 * properties, its response or a log line. Updates and deletes do nothing, so a rotation survives deploys.
 */
const INITIALISER_CODE = `
const { SecretsManagerClient, PutSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
const { randomBytes } = require('node:crypto');
const client = new SecretsManagerClient({});
exports.handler = async (event) => {
  const secretId = event.ResourceProperties.SecretId;
  if (event.RequestType === 'Create') {
    await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: 'whsec_' + randomBytes(32).toString('base64') }));
    console.log(JSON.stringify({ message: 'webhook secret initialised', secretId }));
  }
  return { PhysicalResourceId: event.PhysicalResourceId || 'whsec-init:' + secretId };
};
`;

/**
 * One Secrets Manager secret per webhook source, named `<prefix><sourceId>`, holding a Standard
 * Webhooks secret `whsec_<base64 of 32 random bytes>`. Secrets Manager cannot generate a prefixed
 * value, so each secret is created with a generated placeholder and, on first deploy only, a small
 * custom resource replaces it with the `whsec_` value. Later deploys never touch it, so a rotation
 * (POST /sources/{id}/secret; README, "Rotating a webhook secret") survives them.
 */
export class WebhookSecrets extends Construct {
  public readonly secrets: Secret[] = [];
  public readonly bySource = new Map<string, Secret>();

  constructor(scope: Construct, id: string, props: WebhookSecretsProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9/_+=.@-]*$/.test(props.prefix))
      throw new Error(`webhook secret prefix "${props.prefix}" has characters Secrets Manager names do not allow`);
    const webhooks = props.sources.filter((s) => s.kind === 'webhook');
    if (webhooks.length === 0) return;

    const logGroup = new LogGroup(this, 'InitialiserLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
    });
    const role = new Role(this, 'InitialiserRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    const initialiser = new LambdaFunction(this, 'Initialiser', {
      description: 'Writes whsec_<random> into a new webhook secret (create only)',
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      handler: 'index.handler',
      code: Code.fromInline(INITIALISER_CODE),
      timeout: Duration.seconds(30),
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
    });
    const provider = new Provider(this, 'Provider', { onEventHandler: initialiser, logGroup });

    for (const source of webhooks) {
      const secret = new Secret(this, source.id, {
        secretName: `${props.prefix}${source.id}`,
        description:
          `Standard Webhooks secret (whsec_...) of source ${source.id}${source.name ? ` (${source.name})` : ''}`.replace(
            /[^\x20-\x7E]+/g,
            '-',
          ),
        generateSecretString: { excludePunctuation: true, includeSpace: false, passwordLength: 32 },
        removalPolicy: RemovalPolicy.DESTROY,
      });
      role.addToPolicy(
        new PolicyStatement({ actions: ['secretsmanager:PutSecretValue'], resources: [secret.secretArn] }),
      );
      const init = new CustomResource(this, `${source.id}Init`, {
        serviceToken: provider.serviceToken,
        resourceType: 'Custom::WebhookSecretInit',
        properties: { SecretId: secret.secretArn },
      });
      // The SecretId reference already orders the secret first; the role's policy must exist before the write.
      init.node.addDependency(role);
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'A webhook secret is shared with the sending platform, so it cannot change without the platform being told: sales ops rotate it on demand (POST /sources/{id}/secret, the console\'s Sources tab) and hand the new value over, while the previous one is still accepted for a grace window (README, "Rotating a webhook secret").',
      });
      this.secrets.push(secret);
      this.bySource.set(source.id, secret);
    }
    acknowledgeFrameworkHandler(provider, 'Webhook secret initialisation (custom resource provider framework)');
    ignoreRoleDependsOn(initialiser);
    ignoreRoleDependsOn(provider.node.findChild('framework-onEvent'));
  }
}
