import { existsSync } from 'node:fs';
import { Annotations, Duration, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
  CachePolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { privateBucket } from './storage-buckets';

export type ConsoleHostingProps = {
  /** Folder of the built console (`npm run build` → `console/dist`); absent: nothing is published, synth warns. */
  readonly distDir: string;
  /** Bucket receiving S3 and CloudFront access logs. */
  readonly logBucket: Bucket;
  /**
   * Origins the console's scripts may connect to besides itself (the API, Cognito, presigned S3 URLs).
   * @default []
   */
  readonly connectSources?: readonly string[];
  /**
   * CloudFront price class.
   * @default PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: PriceClass;
};

/**
 * The console: a private bucket served only through CloudFront (origin access control), HTTPS only,
 * with a response-headers policy of security headers (CSP, HSTS, frame and content-type options,
 * referrer policy), single-page-app fallbacks, and the built files published on deploy.
 */
export class ConsoleHosting extends Construct {
  public readonly bucket: Bucket;
  public readonly distribution: Distribution;
  public readonly headers: ResponseHeadersPolicy;
  /** `https://<distribution domain>` */
  public readonly url: string;
  /** Whether a built console was found and will be published. */
  public readonly published: boolean;
  private readonly distDir: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    this.bucket = privateBucket(this, 'Bucket', props.logBucket);
    const connect = ["'self'", ...(props.connectSources ?? [])].join(' ');
    this.headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'leadflow console security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src ${connect}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'`,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'leadflow console',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass ?? PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
      // Client-side routes (/leads/123) are served the app; it renders its own not-found page.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'The console is for a sales team that may travel; access is controlled by Cognito sign-in, not by geography.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'The distribution serves static files only (the API has its own throttling); a WAF web ACL costs from $5/month idle. Attach one via webAclId when needed.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'With the default *.cloudfront.net certificate CloudFront fixes the viewer policy at TLSv1; a custom domain with an ACM certificate and minimumProtocolVersion TLSv1.2_2021 lifts it.',
    });

    this.distDir = props.distDir;
    this.published = existsSync(props.distDir);
  }

  /**
   * Publishes the built console with `/runtime-config.json` (API URL, sign-in domain and client…)
   * beside it, or, when the console is not built, warns at synth and publishes nothing.
   */
  public publish(runtimeConfig: Readonly<Record<string, unknown>>): void {
    if (this.published) {
      new BucketDeployment(this, 'Publish', {
        destinationBucket: this.bucket,
        sources: [Source.asset(this.distDir), Source.jsonData('runtime-config.json', runtimeConfig)],
        distribution: this.distribution,
        distributionPaths: ['/index.html', '/runtime-config.json'],
        memoryLimit: 512,
      });
    } else {
      Annotations.of(this).addWarningV2(
        'leadflow:console-not-built',
        `The console is not built (${this.distDir} does not exist): its bucket and distribution are created empty. Run \`npm run build\` and deploy again to publish it.`,
      );
    }
  }
}
