import { readFileSync } from 'node:fs';
import type { AwsEndpoints } from '../activities/aws/clients';
import type { DurationFloor } from '../domain/durations';
import { payloadCodecFromEnv, type AesGcmPayloadCodec } from '../security/payload-codec';

/** Everything the worker reads from its environment, checked once at start so a typo fails loudly. */
export interface WorkerConfig {
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    /** Temporal Cloud API key, or mTLS client certificate and key. */
    apiKey?: string;
    tls?: { certPath: string; keyPath: string };
  };
  aws: { region: string; endpoints?: AwsEndpoints };
  vendorPrincipalArn?: string;
  roleTemplateBaseUrl: string;
  runnerTokenKey: Buffer;
  pollIntervalMs: number;
  /** Length of customer-role sessions; AWS's default (one hour) when unset. */
  customerSessionSeconds?: number;
  workflowBundlePath?: string;
  /** How short an install's timers may be (domain/durations.ts): production unless the deployment says otherwise. */
  durationFloor: DurationFloor;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function decodeKey(raw: string, name: string): Buffer {
  const key = /^[0-9a-f]+$/i.test(raw) && raw.length % 2 === 0 ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length < 32)
    throw new ConfigError(`${name} must hold at least 32 bytes (hex or base64); it holds ${key.length}.`);
  return key;
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
  return { sts: all, iam: all, s3: all, cloudformation: all, cur, dataExports };
}

/**
 * INSTALL_DURATION_FLOOR: `production` or `development`; a local stack (INSTALL_ORCHESTRATOR_ENV=development)
 * defaults to `development`, anything else to `production`. The API and every worker must agree.
 */
export function readDurationFloor(env: NodeJS.ProcessEnv = process.env): DurationFloor {
  const raw = env.INSTALL_DURATION_FLOOR || (isLocalDevelopment(env) ? 'development' : 'production');
  if (raw !== 'production' && raw !== 'development') {
    throw new ConfigError(`INSTALL_DURATION_FLOOR=${raw} must be production or development.`);
  }
  return raw;
}

export type TemporalConfig = WorkerConfig['temporal'];

/** Where Temporal is and how to authenticate; the worker, the API and the CLI read the same variables. */
export function readTemporalConfig(env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  const tlsCert = env.TEMPORAL_TLS_CERT;
  const tlsKey = env.TEMPORAL_TLS_KEY;
  if (Boolean(tlsCert) !== Boolean(tlsKey))
    throw new ConfigError('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together.');
  return {
    address: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'install-lifecycle',
    apiKey: env.TEMPORAL_API_KEY || undefined,
    tls: tlsCert && tlsKey ? { certPath: tlsCert, keyPath: tlsKey } : undefined,
  };
}

/** The runner token key: the same on every worker and API replica, or tokens issued by one fail on another. */
export function readRunnerTokenKey(env: NodeJS.ProcessEnv = process.env): Buffer {
  const runnerKey =
    env.RUNNER_TOKEN_KEY ?? (env.RUNNER_TOKEN_KEY_FILE ? readFileSync(env.RUNNER_TOKEN_KEY_FILE, 'utf8').trim() : '');
  if (!runnerKey) {
    throw new ConfigError(
      'RUNNER_TOKEN_KEY (or RUNNER_TOKEN_KEY_FILE) is required: 32+ random bytes, hex or base64, the same on every ' +
        'worker and API replica. Generate one with: openssl rand -hex 32',
    );
  }
  return decodeKey(runnerKey, 'RUNNER_TOKEN_KEY');
}

/** A local stack (the dev scripts, the tests) says so explicitly; anything else is treated as a real deployment. */
export function isLocalDevelopment(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.INSTALL_ORCHESTRATOR_ENV === 'development';
}

/**
 * The payload codec for the worker and the API. Without a key Temporal stores inputs and the status (the External ID
 * among them) in clear, so outside local development a missing key stops the process unless the operator turns
 * encryption off by name.
 */
export function readPayloadCodec(env: NodeJS.ProcessEnv = process.env): AesGcmPayloadCodec | undefined {
  const codec = payloadCodecFromEnv(env);
  if (codec || env.PAYLOAD_ENCRYPTION === 'off' || isLocalDevelopment(env)) return codec;
  throw new ConfigError(
    'PAYLOAD_ENCRYPTION_KEY is required outside local development: without it Temporal stores install inputs and ' +
      'status in clear. Generate one with: openssl rand -hex 32 (the same on every worker and API replica). To run ' +
      'without encryption on purpose set PAYLOAD_ENCRYPTION=off; a local stack sets INSTALL_ORCHESTRATOR_ENV=development.',
  );
}

export function readWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return {
    temporal: readTemporalConfig(env),
    aws: { region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1', endpoints: awsEndpoints(env) },
    vendorPrincipalArn: env.VENDOR_PRINCIPAL_ARN || undefined,
    roleTemplateBaseUrl: env.ROLE_TEMPLATE_BASE_URL ?? 'http://127.0.0.1:3000/installs',
    runnerTokenKey: readRunnerTokenKey(env),
    pollIntervalMs: positiveInteger(env.POLL_INTERVAL_MS, 'POLL_INTERVAL_MS', 5_000),
    customerSessionSeconds: sessionSeconds(env.CUSTOMER_SESSION_SECONDS),
    workflowBundlePath: env.WORKFLOW_BUNDLE || undefined,
    durationFloor: readDurationFloor(env),
  };
}
