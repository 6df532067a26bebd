import { randomBytes } from 'node:crypto';
import { Runtime } from '@temporalio/worker';
import { createAwsClientFactory, type AwsSettings } from '../activities/aws/clients';
import { CustomerSessions } from '../activities/aws/customer-session';
import type { ActivityDeps, InstallNotification } from '../activities/deps';
import type { DurationFloor } from '../domain/durations';
import type { PermissionSet } from '../domain/permission-versions';
import type { WebhookConfig } from '../domain/webhook-endpoints';
import { discoverVendorPrincipal } from './vendor-principal';
import type { OidcIssuer } from '../security/oidc-issuer';

export interface ActivityDepsOptions {
  aws: AwsSettings;
  vendorPrincipalArn?: string;
  roleTemplateBaseUrl: string;
  runnerTokenKey: Uint8Array;
  pollIntervalMs: number;
  /** Length of customer-role sessions (AssumeRole DurationSeconds); AWS's default when omitted. */
  customerSessionSeconds?: number;
  notify?: (notification: InstallNotification) => Promise<void>;
  /** `development` lets installs set short timers (domain/durations.ts); production when omitted. */
  durationFloor?: DurationFloor;
  webhooks?: WebhookConfig;
  permissionSet?: PermissionSet;
  /** The OIDC issuer whose keys sign OIDC installs' tokens (config/oidc-issuer.ts); none: External ID installs only. */
  oidcIssuer?: OidcIssuer;
}

function logNotification(notification: InstallNotification): Promise<void> {
  console.log(JSON.stringify({ level: 'info', msg: 'notification', ...notification }));
  return Promise.resolve();
}

/** Real dependencies: SDK clients, the CSPRNG, and the vendor principal (asked of STS when not configured). */
export async function createActivityDeps(options: ActivityDepsOptions): Promise<ActivityDeps> {
  // The runtime's meter: AWS calls are counted beside the SDK's metrics (worker/telemetry.ts installs it first).
  const aws = createAwsClientFactory({ meter: Runtime.instance().metricMeter, ...options.aws });
  // A worker without vendor credentials serves OIDC installs only and has no principal to name.
  const principalArn =
    options.vendorPrincipalArn ??
    (options.aws.vendorCredentials === 'none' ? '' : await discoverVendorPrincipal(aws.vendorSts()));
  return {
    aws,
    sessions: new CustomerSessions(aws, {
      sessionSeconds: options.customerSessionSeconds,
      oidcIssuer: options.oidcIssuer,
    }),
    vendor: { principalArn, roleTemplateBaseUrl: options.roleTemplateBaseUrl },
    runnerTokenKey: options.runnerTokenKey,
    pollIntervalMs: options.pollIntervalMs,
    notify: options.notify ?? logNotification,
    randomBytes: (size) => randomBytes(size),
    durationFloor: options.durationFloor ?? 'production',
    webhooks: options.webhooks,
    ...(options.permissionSet ? { permissionSet: () => options.permissionSet! } : {}),
  };
}
