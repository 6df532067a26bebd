import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import {
  ConfigError,
  readDurationFloor,
  readPayloadCodec,
  readRunnerTokenKey,
  readTemporalConfig,
} from '../../config/deployment';
import { readPermissionSet } from '../../config/permission-versions';
import { temporalConnectionOptions } from '../../config/temporal-connection';
import { readOidcIssuer } from '../../config/oidc-issuer';
import { readMetricsToken } from '../../config/telemetry-settings';
import { startTracing } from '../../config/tracing';
import { InstallService } from '../install-service';
import { OrganizationInstallService } from '../organization-install-service';
import { ApiKeyFileError, parseApiKeys, type ApiKey } from './api-keys';
import { checkedPublicUrl } from './customer-page/link';
import { buildApi, defaultAnonymousRateLimit } from './server';

function readApiKeys(env: NodeJS.ProcessEnv): ApiKey[] {
  const raw = env.API_KEYS ?? (env.API_KEYS_FILE ? readFileSync(env.API_KEYS_FILE, 'utf8') : '');
  let keys: ApiKey[];
  try {
    keys = parseApiKeys(raw);
  } catch (error) {
    if (error instanceof ApiKeyFileError) throw new ConfigError(`${error.message} (API_KEYS / API_KEYS_FILE)`);
    throw error;
  }
  if (keys.length === 0 && env.API_AUTH !== 'off') {
    throw new ConfigError(
      'API_KEYS (or API_KEYS_FILE) is required; set API_AUTH=off to run without authentication locally.',
    );
  }
  return keys;
}

function positiveWholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${name}=${raw} must be a positive whole number.`);
  return value;
}

function readPublicUrl(raw: string): string {
  try {
    return checkedPublicUrl(raw);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

async function main(): Promise<void> {
  const env = process.env;
  const tracing = startTracing('install-orchestrator-api');
  const temporal = readTemporalConfig(env);
  const codec = readPayloadCodec(env);
  const apiKeys = readApiKeys(env);
  const runnerTokenKey = readRunnerTokenKey(env);
  const connection = await Connection.connect(temporalConnectionOptions(temporal));
  const client = new Client({
    connection,
    namespace: temporal.namespace,
    dataConverter: codec ? { payloadCodecs: [codec] } : undefined,
    // With tracing on, each start, update and query is a span whose context the workflow continues (its headers).
    interceptors: tracing ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined,
  });
  const api = await buildApi({
    installs: new InstallService(client, temporal.taskQueue),
    organizationInstalls: new OrganizationInstallService(client, temporal.taskQueue),
    apiKeys,
    runnerTokenKey,
    namespace: temporal.namespace,
    temporalUiUrl: env.TEMPORAL_UI_URL,
    durationFloor: readDurationFloor(env),
    permissionSet: readPermissionSet(env),
    isReady: async () => (await connection.healthService.check({})).status === 1,
    logger: true,
    metrics: { token: readMetricsToken(env) },
    ...(env.PUBLIC_URL ? { publicUrl: readPublicUrl(env.PUBLIC_URL) } : {}),
    oidcIssuer: readOidcIssuer(env),
    ...(env.CUSTOMER_LINK_TTL_SECONDS
      ? { customerLinkTtlMs: positiveWholeNumber(env, 'CUSTOMER_LINK_TTL_SECONDS', 0) * 1000 }
      : {}),
    // The local stack's STS (moto) when set; AWS's regional STS endpoint of each install otherwise.
    ...((env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL)
      ? { runnerAttestation: { stsEndpoint: () => (env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL)! } }
      : {}),
    anonymousRateLimit: {
      max: positiveWholeNumber(env, 'ANONYMOUS_RATE_LIMIT_MAX', defaultAnonymousRateLimit.max),
      timeWindowMs:
        positiveWholeNumber(env, 'ANONYMOUS_RATE_LIMIT_WINDOW_SECONDS', defaultAnonymousRateLimit.timeWindowMs / 1000) *
        1000,
    },
  });
  const shutdown = () =>
    void api
      .close()
      .then(() => connection.close())
      .then(() => tracing?.shutdown());
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  await api.listen({ host: env.API_HOST ?? '127.0.0.1', port: Number(env.API_PORT ?? 3000) });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `api: ${error.message}` : error);
  process.exit(1);
});
