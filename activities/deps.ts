import type { AwsClientFactory } from './aws/clients';
import type { CustomerSessions } from './aws/customer-session';
import type { DurationFloor } from '../domain/durations';
import type { PermissionSet } from '../domain/permission-versions';
import type { WebhookConfig } from '../domain/webhook-endpoints';

export interface InstallNotification {
  kind: 'role_reminder';
  installId: string;
  orgId: string;
  message: string;
}

/** Everything activities need from the outside world, injected so tests can point them anywhere. */
export interface ActivityDeps {
  aws: AwsClientFactory;
  /** Assumed-role sessions; one per worker process. */
  sessions: CustomerSessions;
  vendor: {
    /** The principal the customer's trust policy names: the identity `aws.vendorSts()` runs as. */
    principalArn: string;
    /** Base of the per-install role template URL: `<base>/<install id>/onboarding/role-template.json`. */
    roleTemplateBaseUrl: string;
  };
  /** HMAC key for runner registration tokens (at least 32 bytes). */
  runnerTokenKey: Uint8Array;
  /** How often long waits poll AWS. */
  pollIntervalMs: number;
  notify: (notification: InstallNotification) => Promise<void>;
  randomBytes: (size: number) => Uint8Array;
  /** The smallest durations this deployment lets an install set (domain/durations.ts); `production` unless chosen. */
  durationFloor: DurationFloor;
  /** The vendor's webhook endpoints (WEBHOOK_ENDPOINTS_FILE); none when unset. Secrets stay here, out of history. */
  webhooks?: WebhookConfig;
  /** The permission set's versions (PERMISSION_VERSIONS_FILE), read at each check; the versions in code when unset. */
  permissionSet?: () => PermissionSet;
}
