import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities, type InstallActivities } from '../activities';
import { createRoleFromArtifacts } from '../devstack/customer-role';
import { createActivityDeps } from '../worker/activity-deps';
import { createInstallWorker, type InstallWorker } from '../worker/install-worker';
import type { OnboardingArtifacts } from '../domain/onboarding-artifacts';
import type { ActivityDeps } from '../activities/deps';
import type { AwsEndpoints } from '../activities/aws/clients';
import type { Tracing } from '../config/tracing';
import { localAwsEndpoints } from '../devstack/stack';
import { readTestStack, type TestStack } from './support/test-stack';
import { readFileSync } from 'node:fs';

export const stack: TestStack = readTestStack();

// Worker lifecycle lines and expected activity failures drown the test report; errors still show.
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // Already installed in this worker process by an earlier test file.
}
export const customerAccount = stack.accounts.customers[0]!;
export const otherAccount = stack.accounts.customers[1]!;
export const runnerTokenKey = randomBytes(32);

/** Ids unique per test so tests sharing the stack never see each other's installs or AWS resources. */
export function uniqueInstallId(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

export function awsEndpoints(): AwsEndpoints {
  return localAwsEndpoints(stack);
}

/**
 * Real dependencies against the test stack; `endpoints` puts something (a fault proxy) in between. `sdkAttempts` is
 * the SDK's own tries per call: one by default, so a fault reaches the activity and Temporal's retry is what is tested.
 */
export async function testActivityDeps(
  overrides: Partial<ActivityDeps> = {},
  endpoints: AwsEndpoints = awsEndpoints(),
  sdkAttempts = 1,
): Promise<ActivityDeps> {
  const deps = await createActivityDeps({
    aws: {
      region: 'us-east-1',
      endpoints,
      vendorCredentials: stack.accounts.vendor.credentials,
      maxAttempts: sdkAttempts,
    },
    vendorPrincipalArn: stack.accounts.vendor.principalArn,
    roleTemplateBaseUrl: 'http://127.0.0.1:3000/installs',
    runnerTokenKey,
    pollIntervalMs: 50,
    durationFloor: 'development',
    notify: async () => undefined,
  });
  return { ...deps, ...overrides };
}

const connections = new Map<string, Promise<Connection>>();
/** A client of the test stack's Temporal server, or of another one (a cluster a test file started). */
export function testClient(address = stack.temporalAddress): Promise<Client> {
  let connection = connections.get(address);
  if (!connection) {
    connection = Connection.connect({ address });
    connections.set(address, connection);
  }
  return connection.then((c) => new Client({ connection: c }));
}

export async function closeTestClient(): Promise<void> {
  const open = [...connections.values()];
  connections.clear();
  await Promise.all(open.map(async (connection) => (await connection).close()));
}

export interface TestWorker {
  /** Polls the test's task queue and its vendor-calls queue (domain/vendor-calls.ts). */
  worker: InstallWorker;
  taskQueue: string;
  connection: NativeConnection;
}

/**
 * A worker on its own task queue, with the real activities against the local stack unless a test overrides some
 * (Dittofeed's pattern). The workflow bundle is built once per run by globalSetup.
 */
export async function createTestWorker(
  options: {
    activityOverrides?: Partial<InstallActivities>;
    deps?: Partial<ActivityDeps>;
    taskQueue?: string;
    dataConverter?: DataConverter;
    /** Default: the test stack's Temporal server. */
    temporalAddress?: string;
    vendorCallsPerSecond?: number;
    /** Where the worker's spans go (config/tracing.ts); none by default. */
    tracing?: Tracing;
  } = {},
): Promise<TestWorker> {
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const nativeConnection = await NativeConnection.connect({
    address: options.temporalAddress ?? stack.temporalAddress,
  });
  const activities = { ...createActivities(await testActivityDeps(options.deps)), ...options.activityOverrides };
  const worker = await createInstallWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    activities,
    workflowBundle: { code: readFileSync(stack.workflowBundlePath, 'utf8') },
    dataConverter: options.dataConverter,
    vendorCallsPerSecond: options.vendorCallsPerSecond,
    tracing: options.tracing,
  });
  return { worker, taskQueue, connection: nativeConnection };
}

/** Polls `read` until `done` holds, failing with the last value seen once the deadline passes. */
export async function waitUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
}

/** The customer's part: create the role from the onboarding artifacts, as the CloudFormation template would. */
export function createCustomerRole(
  artifacts: OnboardingArtifacts,
  options: {
    trustPolicy?: unknown;
    roleName?: string;
    path?: string;
    withPolicies?: boolean;
    permissionsBoundary?: string;
    account?: typeof customerAccount;
  } = {},
): Promise<string> {
  const { account = customerAccount, ...rest } = options;
  return createRoleFromArtifacts({ endpoint: stack.awsEndpoint, credentials: account.credentials, artifacts, ...rest });
}

/** Runs `body` while a fresh test worker polls its task queue; a Worker runs only once, so one per test. */
export async function withTestWorker<T>(
  body: (testWorker: TestWorker) => Promise<T>,
  options: Parameters<typeof createTestWorker>[0] = {},
): Promise<T> {
  const testWorker = await createTestWorker(options);
  try {
    return await testWorker.worker.runUntil(() => body(testWorker));
  } finally {
    await testWorker.connection.close();
  }
}

/** How many of an install's scheduled activities carry the OpenTelemetry trace header (`_tracer-data`), of how many. */
export async function tracedActivities(installId: string): Promise<{ traced: number; scheduled: number }> {
  const history = await (await testClient()).workflow.getHandle(installId).fetchHistory();
  const scheduled = (history.events ?? []).flatMap((event) =>
    event.activityTaskScheduledEventAttributes ? [event.activityTaskScheduledEventAttributes] : [],
  );
  const traced = scheduled.filter((attributes) => attributes.header?.fields?.['_tracer-data'] !== undefined).length;
  return { traced, scheduled: scheduled.length };
}
