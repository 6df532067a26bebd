import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ApiKey } from '../client/api/api-keys';
import type { ApiMetricsOptions } from '../client/api/telemetry';
import type { OnboardingArtifacts } from '../domain/onboarding-artifacts';
import type { InstallStatus } from '../workflows/definitions';
import type { ApiOptions } from '../client/api/context';
import { InstallService } from '../client/install-service';
import { OrganizationInstallService } from '../client/organization-install-service';
import { buildApi } from '../client/api/server';
import {
  closeTestClient,
  createCustomerRole,
  customerAccount,
  runnerTokenKey,
  stack,
  testClient,
  waitUntil,
} from './helpers';
import { runnerProof } from './runner-proof';

/** The id of the operator key every test API accepts (besides any `keys` it is given). */
export const testOperatorKeyId = 'test-operator';

export interface TestApi {
  url: string;
  /** The operator key's secret: `call` sends it unless the headers say otherwise. */
  apiKey: string;
  app: FastifyInstance;
  /** fetch with the API key, JSON in and out; the body is whatever the API answered, for tests to assert on. */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

/** An install service on the test client that records the name of every method the API's routes call. */
export async function countingInstalls(taskQueue: string, calls: string[]): Promise<InstallService> {
  const installs = new InstallService(await testClient(), taskQueue);
  return new Proxy(installs, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** The real API on a free loopback port, talking to the test stack's Temporal server. */
export async function startTestApi(options: {
  taskQueue: string;
  auth?: boolean;
  /** Keys bound to orgs, accepted besides the operator key. */
  keys?: ApiKey[];
  /** The install service the API uses; default: one on the test client. */
  installs?: InstallService;
  logStream?: NodeJS.WritableStream;
  /** Default: high enough for the load test's 200 check-ins from one address. */
  anonymousRateLimit?: { max: number; timeWindowMs: number };
  /** Default: the test stack's Temporal server. */
  temporalAddress?: string;
  metrics?: ApiMetricsOptions;
  customerPage?: ApiOptions['customerPage'];
  customerLinkTtlMs?: number;
  /** The permission set's versions, read at each request: a test ships a version by changing what this returns. */
  permissionSet?: ApiOptions['permissionSet'];
  /** The OIDC issuer it publishes (its URL naming this API: pass `port` too). */
  oidcIssuer?: ApiOptions['oidcIssuer'];
  /** Default: a free one. */
  port?: number;
}): Promise<TestApi> {
  const apiKey = randomBytes(24).toString('hex');
  const client = await testClient(options.temporalAddress);
  const app = await buildApi({
    installs: options.installs ?? new InstallService(client, options.taskQueue),
    organizationInstalls: new OrganizationInstallService(client, options.taskQueue),
    apiKeys:
      options.auth === false ? [] : [{ id: testOperatorKeyId, secret: apiKey, orgs: '*' }, ...(options.keys ?? [])],
    runnerTokenKey,
    namespace: 'default',
    temporalUiUrl: 'http://127.0.0.1:8233',
    isReady: async () => true,
    durationFloor: 'development',
    // TEST_API_LOG names a file for the API's log when a test needs diagnosing (a 500 logs its cause there).
    logger: options.logStream
      ? { stream: options.logStream }
      : process.env.TEST_API_LOG
        ? { stream: createWriteStream(process.env.TEST_API_LOG, { flags: 'a' }) }
        : false,
    anonymousRateLimit: options.anonymousRateLimit ?? { max: 10_000, timeWindowMs: 60_000 },
    metrics: options.metrics,
    customerPage: options.customerPage,
    customerLinkTtlMs: options.customerLinkTtlMs,
    permissionSet: options.permissionSet,
    // Runner identity proofs go to the local stack's STS (moto), as in production to AWS's regional endpoint.
    runnerAttestation: { stsEndpoint: () => stack.awsEndpoint },
    oidcIssuer: options.oidcIssuer,
  });
  const url = await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  return {
    url,
    apiKey,
    app,
    async call(method, path, body, headers = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: a downloaded file.
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
  };
}

/**
 * Runs the API for a test file: started before its tests on a task queue of its own, closed after them. The
 * returned object reaches the running API once the tests run.
 */
export function useTestApi(
  prefix: string,
  options: {
    /** Read when the API starts (before the file's tests): the Temporal server a file started itself. */
    temporalAddress?: () => string;
  } = {},
): { taskQueue: string; api: TestApi } {
  const taskQueue = `${prefix}-${randomBytes(8).toString('hex')}`;
  let started: TestApi | undefined;
  const running = () => {
    if (!started) throw new Error('the test API is not started yet; use it inside a test');
    return started;
  };
  beforeAll(async () => {
    started = await startTestApi({ taskQueue, temporalAddress: options.temporalAddress?.() });
  });
  afterAll(async () => {
    await started?.app.close();
    await closeTestClient();
  });
  const api: TestApi = {
    get url() {
      return running().url;
    },
    get apiKey() {
      return running().apiKey;
    },
    get app() {
      return running().app;
    },
    call: (...args) => running().call(...args),
  };
  return { taskQueue, api };
}

/**
 * An install taken to `active` through the API, as a vendor and its customer drive it: start (with `settings` added
 * to the body), kit, the role from the kit, the runner's check-in. `beforeRole` runs once the kit is out (a test's
 * refused role). Returns the kit and the active status.
 */
export async function activeThroughApi(
  api: TestApi,
  installId: string,
  options: {
    settings?: Record<string, unknown>;
    beforeRole?: (artifacts: OnboardingArtifacts) => Promise<void>;
  } = {},
): Promise<{ artifacts: OnboardingArtifacts; install: InstallStatus }> {
  const start = await api.call('POST', '/installs', {
    installId,
    orgId: 'org-api',
    awsAccountId: customerAccount.accountId,
    region: 'us-east-1',
    timeouts: { rolePropagation: '5 seconds', runnerCheckIn: '30 seconds' },
    ...options.settings,
  });
  expect(start.status).toBe(201);
  const artifacts = (await api.call('GET', `/installs/${installId}/onboarding`)).body as OnboardingArtifacts;
  await options.beforeRole?.(artifacts);
  const roleArn = await createCustomerRole(artifacts);
  expect((await api.call('POST', `/installs/${installId}/role-arn`, { roleArn })).body).toMatchObject({
    verified: true,
  });
  await checkInRunnerThroughApi(api, installId, 'runner-1');
  const active = await waitUntil(
    () => api.call('GET', `/installs/${installId}`),
    (response) => response.body.install.phase === 'active',
  );
  return { artifacts, install: active.body.install as InstallStatus };
}

/**
 * One install's whole life through the API: to active (`activeThroughApi`), with first a role the install refuses
 * (`refusedFirst`: no permission policies, so `missing_permissions`), then deprovisioned. Returns once it is.
 */
export async function onboardThroughApi(
  api: TestApi,
  installId: string,
  options: { refusedFirst?: boolean; whenActive?: () => Promise<void> } = {},
): Promise<void> {
  await activeThroughApi(api, installId, {
    beforeRole: options.refusedFirst
      ? async (artifacts) => {
          const bare = await createCustomerRole(artifacts, {
            roleName: `${artifacts.roleName}-bare`,
            withPolicies: false,
          });
          const refused = await api.call('POST', `/installs/${installId}/role-arn`, { roleArn: bare });
          expect(refused.body).toMatchObject({ verified: false, error: { code: 'missing_permissions' } });
        }
      : undefined,
  });
  await options.whenActive?.();
  expect((await api.call('POST', `/installs/${installId}/deprovision`, {})).status).toBe(202);
  await waitUntil(
    () => api.call('GET', `/installs/${installId}`),
    (response) => response.body.install.phase === 'deprovisioned',
  );
}

/**
 * The runner's part, done by a test through the API: its registration token (vendor key), then its check-in (none)
 * with an identity proof made from a session of the install's runner role (the status's runner.expectedIdentity).
 */
export async function checkInRunnerThroughApi(api: TestApi, installId: string, runnerId: string): Promise<void> {
  const registration = await waitUntil(
    () => api.call('GET', `/installs/${installId}/runner/registration`),
    (response) => response.status === 200,
  );
  const { install } = (await api.call('GET', `/installs/${installId}`)).body;
  const identityProof = await runnerProof(installId, install.runner.expectedIdentity as string);
  const checkIn = await api.call(
    'POST',
    `/installs/${installId}/runner/check-in`,
    { registrationId: registration.body.registrationId, token: registration.body.token, runnerId, identityProof },
    { authorization: '' },
  );
  expect(checkIn.status).toBe(200);
}

/** Starts an install in the test customer's account through the API and reads its kit with the customer link. */
export async function startInstallWithCustomerLink(
  api: TestApi,
  installId: string,
  settings: { orgId: string; timeouts: { rolePropagation: string; runnerCheckIn: string } },
): Promise<{ customerUrl: string; kit: Record<string, unknown> }> {
  const started = await api.call('POST', '/installs', {
    installId,
    ...settings,
    awsAccountId: customerAccount.accountId,
    region: 'us-east-1',
  });
  expect(started.status).toBe(201);
  const onboarding = await api.call('GET', `/installs/${installId}/onboarding`);
  return { customerUrl: onboarding.body.customerUrl as string, kit: onboarding.body };
}
