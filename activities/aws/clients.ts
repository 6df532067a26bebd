import { BCMDataExportsClient } from '@aws-sdk/client-bcm-data-exports';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CostAndUsageReportServiceClient } from '@aws-sdk/client-cost-and-usage-report-service';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { noopMetricMeter, type MetricMeter } from '@temporalio/common';
import { curApiRegion } from '../../domain/permissions';
import { instrumentAwsClient } from './instrumentation';

/** Per-service endpoint overrides: a local emulator in development and tests, unset against real AWS. */
export interface AwsEndpoints {
  sts?: string;
  iam?: string;
  s3?: string;
  cloudformation?: string;
  cur?: string;
  dataExports?: string;
  organizations?: string;
}

export interface AwsSettings {
  /** Region of the vendor's own STS calls. */
  region: string;
  endpoints?: AwsEndpoints;
  /**
   * The vendor identity that assumes customer roles; the SDK's default chain when omitted; `none` for a worker that
   * serves only OIDC installs and holds no vendor AWS credentials at all.
   */
  vendorCredentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider | 'none';
  /** Kept low on purpose: Temporal's retry policy owns retries, and the two would multiply. */
  maxAttempts?: number;
  /** Where each client counts its calls (the worker's runtime meter); spans are made either way. */
  meter?: MetricMeter;
}

export interface CustomerClients {
  sts: STSClient;
  iam: IAMClient;
  s3: S3Client;
  cloudFormation: CloudFormationClient;
  cur: CostAndUsageReportServiceClient;
  dataExports: BCMDataExportsClient;
  /** For an organization install's management role only. */
  organizations: OrganizationsClient;
}

export interface AwsClientFactory {
  vendorSts(): STSClient;
  /** STS without any credentials: AssumeRoleWithWebIdentity is unsigned, the token is the caller's credential. */
  webIdentitySts(): STSClient;
  customer(credentials: AwsCredentialIdentity, region: string): CustomerClients;
}

/**
 * Builds SDK clients for the vendor identity and for a customer session.
 *
 * @example
 * const aws = createAwsClientFactory({ region: 'us-east-1', endpoints: { sts: 'http://127.0.0.1:4566' } });
 * const identity = await aws.vendorSts().send(new GetCallerIdentityCommand({}));
 */
export function createAwsClientFactory(settings: AwsSettings): AwsClientFactory {
  const maxAttempts = settings.maxAttempts ?? 2;
  const endpoints = settings.endpoints ?? {};
  const meter = settings.meter ?? noopMetricMeter;
  let vendorSts: STSClient | undefined;
  let webIdentitySts: STSClient | undefined;
  return {
    webIdentitySts() {
      webIdentitySts ??= instrumentAwsClient(
        new STSClient({
          region: settings.region,
          endpoint: endpoints.sts,
          // The SDK signs nothing for this operation (noAuth); were it to ask, it must find nothing to sign with.
          credentials: () => Promise.reject(new Error('AssumeRoleWithWebIdentity takes no AWS credentials')),
          maxAttempts,
        }),
        'sts',
        meter,
      );
      return webIdentitySts;
    },
    vendorSts() {
      vendorSts ??= instrumentAwsClient(
        new STSClient({
          region: settings.region,
          endpoint: endpoints.sts,
          credentials:
            settings.vendorCredentials === 'none'
              ? () => Promise.reject(new Error('This worker holds no vendor AWS credentials (OIDC installs only).'))
              : settings.vendorCredentials,
          maxAttempts,
        }),
        'sts',
        meter,
      );
      return vendorSts;
    },
    customer(credentials, region) {
      const common = { credentials, maxAttempts };
      // Built on first use: most activities need one service, and a client costs more than the call it makes.
      return lazily({
        sts: () => instrumentAwsClient(new STSClient({ ...common, region, endpoint: endpoints.sts }), 'sts', meter),
        iam: () => instrumentAwsClient(new IAMClient({ ...common, region, endpoint: endpoints.iam }), 'iam', meter),
        // Emulators serve buckets by path; virtual-hosted style needs DNS for every bucket name.
        s3: () =>
          instrumentAwsClient(
            new S3Client({ ...common, region, endpoint: endpoints.s3, forcePathStyle: endpoints.s3 !== undefined }),
            's3',
            meter,
          ),
        cloudFormation: () =>
          instrumentAwsClient(
            new CloudFormationClient({ ...common, region, endpoint: endpoints.cloudformation }),
            'cloudformation',
            meter,
          ),
        cur: () =>
          instrumentAwsClient(
            new CostAndUsageReportServiceClient({ ...common, region: curApiRegion, endpoint: endpoints.cur }),
            'cur',
            meter,
          ),
        dataExports: () =>
          instrumentAwsClient(
            new BCMDataExportsClient({ ...common, region: curApiRegion, endpoint: endpoints.dataExports }),
            'bcm-data-exports',
            meter,
          ),
        // Organizations is global: its one endpoint answers in us-east-1 (aws partition).
        organizations: () =>
          instrumentAwsClient(
            new OrganizationsClient({ ...common, region: curApiRegion, endpoint: endpoints.organizations }),
            'organizations',
            meter,
          ),
      });
    },
  };
}

function lazily<T extends object>(factories: { [K in keyof T]: () => T[K] }): T {
  const built: Partial<T> = {};
  const result = {} as T;
  for (const key of Object.keys(factories) as Array<keyof T>) {
    Object.defineProperty(result, key, {
      enumerable: true,
      get: () => (built[key] ??= factories[key]()),
    });
  }
  return result;
}
