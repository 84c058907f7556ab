import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { IMPORT_PREFIXES } from '../functions/core/import/import-objects';
import { privacyConfig } from '../functions/core/privacy/privacy-config';

export type StorageBucketsProps = {
  /**
   * Origins allowed to PUT/GET attachments and import files directly with presigned URLs; more can be
   * added with `allowBrowserTransfersFrom` (the stack adds the console's).
   * @default - none (presigned URLs still work from non-browser clients)
   */
  readonly corsOrigins?: readonly string[];
  /**
   * Days uploaded import files (and the workflow's normalised copies) are kept by the bucket's lifecycle rule.
   * @default the privacy configuration's seed, `retention.deleteImportFilesAfterDays` (30)
   */
  readonly importRetentionDays?: number;
  /**
   * Days the import workflow's map results (row outcomes) are kept by the bucket's lifecycle rule.
   * @default the privacy configuration's seed, `retention.deleteRejectedRowsAfterDays` (30)
   */
  readonly rejectedRowsRetentionDays?: number;
  /**
   * Days access logs are kept.
   * @default 90
   */
  readonly accessLogRetentionDays?: number;
};

/** A private, encrypted, SSL-only bucket with versioning off and access logs to `logs`. */
export const privateBucket = (
  scope: Construct,
  id: string,
  logs: Bucket | undefined,
  extra: Partial<ConstructorParameters<typeof Bucket>[2]> = {},
) =>
  new Bucket(scope, id, {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: logs,
    serverAccessLogsPrefix: logs ? `${id.toLowerCase()}/` : undefined,
    removalPolicy: RemovalPolicy.RETAIN,
    ...extra,
  });

/**
 * The buckets behind attachments (issue: conversion, notes and attachments) and bulk imports, and the
 * log bucket that receives their server access logs (and CloudFront's).
 */
export class StorageBuckets extends Construct {
  /** Receives S3 server access logs and CloudFront standard logs. */
  public readonly logs: Bucket;
  public readonly attachments: Bucket;
  public readonly imports: Bucket;

  constructor(scope: Construct, id: string, props: StorageBucketsProps = {}) {
    super(scope, id);
    // S3 server access logs are let in by the log bucket's policy, not by the legacy LogDeliveryWrite
    // ACL (cfn-lint W3045). Set here, before the buckets exist, so no app or test can forget the flag.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    this.logs = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logs are delivered with an ACL (CloudFront adds its own grant); S3 server access logs use the bucket policy.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogRetentionDays ?? 90) }],
    });
    Validations.of(this.logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging its own access would loop.',
    });
    this.attachments = privateBucket(this, 'Attachments', this.logs, {
      lifecycleRules: [
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // A subject-access export holds everything about a person: its download link lasts 15 minutes, the files a day.
        { prefix: 'privacy-exports/', expiration: Duration.days(1) },
      ],
    });
    // Per prefix, from the privacy configuration's seed (functions/core/privacy/privacy-config.ts): a
    // lifecycle rule is fixed at deploy, so it is the backstop; the daily retention sweep applies the
    // configuration as it is at run time (a shorter period takes effect without a deploy).
    const seed = privacyConfig.defaultValue.retention;
    const fileDays = props.importRetentionDays ?? seed.deleteImportFilesAfterDays;
    const resultDays = props.rejectedRowsRetentionDays ?? seed.deleteRejectedRowsAfterDays;
    this.imports = privateBucket(this, 'Imports', this.logs, {
      lifecycleRules: [
        { id: 'ImportUploads', prefix: IMPORT_PREFIXES.uploads, expiration: Duration.days(fileDays) },
        { id: 'ImportWork', prefix: IMPORT_PREFIXES.work, expiration: Duration.days(fileDays) },
        { id: 'ImportResults', prefix: IMPORT_PREFIXES.results, expiration: Duration.days(resultDays) },
        // Anything else (and unfinished uploads) goes too; where rules overlap S3 applies the shortest.
        {
          id: 'ImportOther',
          expiration: Duration.days(Math.max(fileDays, resultDays)),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    // Uploads start the import workflow through EventBridge ("Object Created"). Set natively on the
    // bucket: enableEventBridgeNotification() would add a notifications custom resource and its Lambda.
    (this.imports.node.defaultChild as CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    if (props.corsOrigins?.length) this.allowBrowserTransfersFrom(props.corsOrigins);
  }

  /** Lets pages on these origins PUT and GET objects with presigned URLs (the console's uploads and downloads). */
  public allowBrowserTransfersFrom(origins: readonly string[]): void {
    for (const bucket of [this.attachments, this.imports]) {
      bucket.addCorsRule({
        allowedOrigins: [...origins],
        allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
        allowedHeaders: ['*'],
        exposedHeaders: ['etag'],
        maxAge: 3000,
      });
    }
  }
}
