import type { AwsEndpoints } from '../activities/aws/clients';
import { readOidcIssuer } from '../config/oidc-issuer';
import type { OidcIssuer } from '../security/oidc-issuer';
import { readFileSync } from 'node:fs';
import type { DurationFloor } from '../domain/durations';
import { parseWebhookConfig, WebhookConfigError, type WebhookConfig } from '../domain/webhook-endpoints';
import { vendorCallsPerSecond } from '../domain/vendor-calls';
import {
  ConfigError,
  readDurationFloor,
  readRunnerTokenKey,
  readTemporalConfig,
  type TemporalConfig,
} from '../config/deployment';

/** Everything the worker reads from its environment, checked once at start so a typo fails loudly. */
export interface WorkerConfig {
  temporal: TemporalConfig;
  aws: { region: string; endpoints?: AwsEndpoints; vendorCredentials?: 'none' };
  vendorPrincipalArn?: string;
  roleTemplateBaseUrl: string;
  runnerTokenKey: Buffer;
  pollIntervalMs: number;
  /** Length of customer-role sessions; AWS's default (one hour) when unset. */
  customerSessionSeconds?: number;
  workflowBundlePath?: string;
  /** How short an install's timers may be (domain/durations.ts): production unless the deployment says otherwise. */
  durationFloor: DurationFloor;
  /** Ceiling on AWS calls as the vendor principal, per second, for all workers together (domain/vendor-calls.ts). */
  vendorCallsPerSecond: number;
  /** The vendor's webhook endpoints, from the file WEBHOOK_ENDPOINTS_FILE names (domain/webhook-endpoints.ts). */
  webhooks?: WebhookConfig;
  /** The OIDC issuer whose keys sign OIDC installs' tokens (OIDC_ISSUER_URL, OIDC_SIGNING_KEYS_FILE). */
  oidcIssuer?: OidcIssuer;
}

function positiveInteger(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${name}=${raw} must be a positive whole number.`);
  return value;
}

/** AssumeRole takes 900 s to 12 h; anything else would fail on the first install instead of at start. */
function sessionSeconds(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 900 || value > 43_200) {
    throw new ConfigError(`CUSTOMER_SESSION_SECONDS=${raw} must be a whole number of seconds from 900 to 43200.`);
  }
  return value;
}

/** Above STS's documented quota the ceiling would protect nothing; every worker must read the same value. */
function callsPerSecond(raw: string | undefined): number {
  if (raw === undefined || raw === '') return vendorCallsPerSecond.default;
  const value = Number(raw);
  const { min, max } = vendorCallsPerSecond;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`VENDOR_CALLS_PER_SECOND=${raw} must be a number from ${min} to ${max}.`);
  }
  return value;
}

/**
 * AWS_ENDPOINT_URL points every service at one endpoint (moto); AWS_ENDPOINT_URL_CUR and
 * AWS_ENDPOINT_URL_BCM_DATA_EXPORTS override the CUR and Data Exports services,
 * which moto lacks. Unset means real AWS.
 */
function awsEndpoints(env: NodeJS.ProcessEnv): AwsEndpoints | undefined {
  const all = env.AWS_ENDPOINT_URL;
  const cur = env.AWS_ENDPOINT_URL_CUR ?? all;
  const dataExports = env.AWS_ENDPOINT_URL_BCM_DATA_EXPORTS ?? all;
  if (!all && !cur && !dataExports) return undefined;
  return { sts: all, iam: all, s3: all, cloudformation: all, cur, dataExports, organizations: all };
}

/** A file that is missing or wrong stops the worker at start: events silently not sent would be found much later. */
export function readWebhookConfig(path: string | undefined): WebhookConfig | undefined {
  if (path === undefined || path === '') return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`WEBHOOK_ENDPOINTS_FILE=${path} cannot be read: ${(error as Error).message}`);
  }
  try {
    return parseWebhookConfig(text);
  } catch (error) {
    if (error instanceof WebhookConfigError) throw new ConfigError(`WEBHOOK_ENDPOINTS_FILE=${path}: ${error.message}`);
    throw error;
  }
}

function vendorCredentialsNone(env: NodeJS.ProcessEnv): boolean {
  const raw = env.VENDOR_AWS_CREDENTIALS;
  if (raw === undefined || raw === '' || raw === 'default') return false;
  if (raw !== 'none') throw new ConfigError(`VENDOR_AWS_CREDENTIALS=${raw} must be none or default.`);
  if (!env.OIDC_ISSUER_URL)
    throw new ConfigError('VENDOR_AWS_CREDENTIALS=none needs OIDC_ISSUER_URL: no install could run.');
  return true;
}

export function readWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return {
    temporal: readTemporalConfig(env),
    aws: {
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      endpoints: awsEndpoints(env),
      // VENDOR_AWS_CREDENTIALS=none: OIDC installs only; the worker never looks for AWS credentials of its own.
      ...(vendorCredentialsNone(env) ? { vendorCredentials: 'none' as const } : {}),
    },
    vendorPrincipalArn: env.VENDOR_PRINCIPAL_ARN || undefined,
    roleTemplateBaseUrl: env.ROLE_TEMPLATE_BASE_URL ?? 'http://127.0.0.1:3000/installs',
    runnerTokenKey: readRunnerTokenKey(env),
    pollIntervalMs: positiveInteger(env.POLL_INTERVAL_MS, 'POLL_INTERVAL_MS', 5_000),
    customerSessionSeconds: sessionSeconds(env.CUSTOMER_SESSION_SECONDS),
    workflowBundlePath: env.WORKFLOW_BUNDLE || undefined,
    durationFloor: readDurationFloor(env),
    vendorCallsPerSecond: callsPerSecond(env.VENDOR_CALLS_PER_SECOND),
    webhooks: readWebhookConfig(env.WEBHOOK_ENDPOINTS_FILE),
    oidcIssuer: readOidcIssuer(env),
  };
}
