import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../lib/config';
import { LeadflowStack } from '../lib/leadflow-stack';

/**
 * `npx cdk synth` / `npx cdk deploy`. Configuration: `leadflow.config.json` (sources) and context
 * (`-c key=value` or cdk.json; see the README, "Configuration (CDK context)"). cdk-nag's AWS Solutions checks run on every synth
 * and fail it on any unacknowledged error.
 */
const app = new App();
const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? 'Leadflow';
new LeadflowStack(app, stackName, {
  config: loadConfig(app),
  description: 'leadflow: serverless lead management (capture, lifecycle, conversion, fan-out)',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
