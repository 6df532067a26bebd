/** What the worker and the API both read from the environment: where Temporal is, the keys every replica shares. */
import { readFileSync } from 'node:fs';
import type { DurationFloor } from '../domain/durations';
import { payloadCodecFromEnv, type AesGcmPayloadCodec } from '../security/payload-codec';

/** Where Temporal is and how to reach it. */
export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  /** Temporal Cloud API key, or mTLS client certificate and key. */
  apiKey?: string;
  tls?: { certPath: string; keyPath: string };
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
