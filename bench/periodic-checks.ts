import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { activityInfo } from '@temporalio/activity';
import { Client, Connection, WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities, type InstallActivities } from '../activities';
import { ensureTemporalCli } from '../devstack/tools';
import { parseDuration } from '../domain/durations';
import { nextSlotAfter } from '../domain/install-slots';
import { vendorCallsTaskQueue } from '../domain/vendor-calls';
import { deriveRunnerToken, sha256Hex } from '../security/runner-token';
import { createInstallWorker, workflowBundleOptions, type InstallWorker } from '../worker/install-worker';
import type { installWorkflow } from '../workflows';
import {
  getStatusQuery,
  runnerCheckInUpdate,
  submitRoleArnUpdate,
  type InstallInput,
  type InstallStatus,
} from '../workflows/definitions';
import { installSearchAttributes } from '../workflows/search-attributes';
import { SharedAwsState, sharedAwsStateDir } from './aws-state';
import { benchAccountId, benchRoleArn, installZeroLatencyAws, zeroLatencyActivityDeps } from './zero-latency-aws';

/**
 * Many active installs re-verified on a shortened period, through the real install workflow and worker, against AWS
 * stubs that answer at once: how many calls a second reach the vendor principal, against the ceiling
 * (VENDOR_CALLS_PER_SECOND), and whether every install is still checked once per period. A simulation that prints
 * figures, not a test. Default: a fresh dev server; `--temporal-address` runs it against an existing one (a cluster).
 */
const { values: args } = parseArgs({
  options: {
    installs: { type: 'string', default: '2000' },
    period: { type: 'string', default: '120 s' },
    periods: { type: 'string', default: '2' },
    ceiling: { type: 'string', default: '200' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '20' },
    'temporal-address': { type: 'string' },
    namespace: { type: 'string', default: 'default' },
    'workflow-bundle': { type: 'string' },
    out: { type: 'string', default: join(__dirname, 'results', 'periodic-checks.json') },
  },
});
const installs = Number(args.installs);
const periodMs = parseDuration(args.period);
const periods = Number(args.periods);
const ceiling = Number(args.ceiling);
const workerCount = Number(args.workers);
const concurrency = Number(args.concurrency);
for (const [name, value] of Object.entries({ installs, periods, ceiling, workers: workerCount, concurrency })) {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
}
if (periodMs === undefined || periodMs < 1_000) throw new Error('--period must be a duration of a second or more');

const runId = randomBytes(3).toString('hex');
const taskQueue = `periodic-checks-${runId}`;
const runnerTokenKey = randomBytes(32);
const log = (line: string) => console.log(line);

interface Start {
  at: number;
  name: string;
  installId?: string;
}

/** Vendor-calls activity starts and AssumeRole calls, by wall-clock millisecond, from every worker. */
const vendorStarts: Start[] = [];
const assumeRoleCalls: number[] = [];

/** One worker (its own deps, so its own session cache, as a separate process would have), counting what it does. */
async function createCountingWorker(connection: NativeConnection, bundle: { code: string }): Promise<InstallWorker> {
  const deps = await zeroLatencyActivityDeps(runnerTokenKey);
  const sts = deps.aws.vendorSts();
  const send = sts.send.bind(sts) as (command: unknown) => Promise<unknown>;
  sts.send = ((command: unknown) => {
    if (command instanceof AssumeRoleCommand) assumeRoleCalls.push(Date.now());
    return send(command);
  }) as typeof sts.send;
  const vendorQueue = vendorCallsTaskQueue(taskQueue);
  const real = createActivities(deps);
  // The zero-latency stubs keep no trust policies, and accept any External ID: these two answer as a correctly set
  // up role would, after making the same calls as the vendor (the AssumeRole, the session), which is what is counted.
  const stubbed: Partial<InstallActivities> = {
    probeRoleWithWrongExternalId: async (input) => {
      await real.probeRoleWithWrongExternalId(input);
      return { withWrongExternalId: 'refused' };
    },
    checkRoleTrustPolicy: async (input) => {
      await deps.sessions.clients(input.access);
      return { findings: [] };
    },
  };
  const activities = Object.fromEntries(
    Object.entries({ ...real, ...stubbed }).map(([name, activity]) => [
      name,
      (input: { access?: { installId?: string } } | undefined) => {
        if (activityInfo().taskQueue === vendorQueue) {
          vendorStarts.push({ at: Date.now(), name, installId: input?.access?.installId });
        }
        return (activity as (input: unknown) => Promise<unknown>)(input);
      },
    ]),
  ) as unknown as InstallActivities;
  return createInstallWorker({
    connection,
    namespace: args.namespace!,
    taskQueue,
    activities,
    workflowBundle: bundle,
    vendorCallsPerSecond: ceiling,
  });
}

async function pollStatus(
  handle: WorkflowHandle<typeof installWorkflow>,
  ready: (status: InstallStatus) => boolean,
): Promise<InstallStatus> {
  const deadline = Date.now() + 10 * 60_000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const status = await handle.query(getStatusQuery);
      if (ready(status)) return status;
      last = status.phase;
    } catch (error) {
      // A busy server or worker times a query out (10 s); the install carries on, so ask again.
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${handle.workflowId} not ready after 10 minutes; last seen: ${String(last)}`);
}

/** A call the server may refuse while busy (UNAVAILABLE, a timed-out query); each is safe to repeat. */
async function persistently<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
    }
  }
}

/** The real onboarding, through the same messages the API sends, until the install is active. */
async function onboard(
  client: Client,
  index: number,
  started: string[],
): Promise<{ installId: string; activatedAt: number }> {
  const installId = `pc-${runId}-${index}`;
  started.push(installId);
  const input: InstallInput = {
    installId,
    orgId: 'bench',
    awsAccountId: benchAccountId,
    region: 'us-east-1',
    reverifyEvery: periodMs!,
    // Re-verification only: the first-report watch is periodic too, but a child workflow per install to no purpose.
    cur: { firstReport: { watch: false } },
  };
  const handle = await persistently(() =>
    client.workflow
      .start<typeof installWorkflow>('installWorkflow', { workflowId: installId, taskQueue, args: [input] })
      .catch((error: unknown) => {
        // Started by an earlier attempt whose answer was lost.
        if (error instanceof WorkflowExecutionAlreadyStartedError) return client.workflow.getHandle(installId);
        throw error;
      }),
  );
  // Update ids make a repeated update the same update.
  await persistently(() =>
    handle.executeUpdate(submitRoleArnUpdate, {
      args: [{ roleArn: benchRoleArn(installId) }],
      updateId: `${installId}-role`,
    }),
  );
  const { runner } = await pollStatus(handle, (s) => s.phase === 'handing_off' && s.runner !== undefined);
  const token = deriveRunnerToken(runnerTokenKey, installId, runner!.registrationId);
  await persistently(() =>
    handle.executeUpdate(runnerCheckInUpdate, {
      args: [{ registrationId: runner!.registrationId, tokenSha256: sha256Hex(token), runnerId: 'bench-runner' }],
      updateId: `${installId}-check-in`,
    }),
  );
  const active = await pollStatus(handle, (s) => s.phase === 'active');
  return { installId, activatedAt: Date.parse(active.phaseSince) };
}

/**
 * History written per re-verification, from a few installs: the events (and their encoded bytes) from one check's
 * start to its last one's, divided by the checks in between.
 */
async function historyPerCheck(
  client: Client,
  checksByInstall: Map<string, number[]>,
  sample: Array<{ installId: string; activatedAt: number }>,
) {
  let events = 0;
  let bytes = 0;
  let cycles = 0;
  for (const { installId, activatedAt } of sample) {
    // Re-verifications only: onboarding verified the role too, before the install became active.
    const checks = (checksByInstall.get(installId) ?? []).filter((at) => at > activatedAt);
    if (checks.length < 2) continue;
    const [first, last] = [checks[0]!, checks.at(-1)!];
    const history = await client.workflow.getHandle(installId).fetchHistory();
    for (const event of history.events ?? []) {
      const at = Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
      if (at < first || at >= last) continue;
      events += 1;
      bytes += temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
    }
    cycles += checks.length - 1;
  }
  return {
    installsSampled: sample.length,
    eventsPerCheck: cycles ? Number((events / cycles).toFixed(1)) : NaN,
    bytesPerCheck: cycles ? Math.round(bytes / cycles) : NaN,
  };
}

async function inParallel<T>(count: number, width: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

/** Counts per wall-clock second over [from, to), one entry per second. */
function perSecond(times: number[], from: number, to: number): number[] {
  const seconds = new Array<number>(Math.ceil((to - from) / 1000)).fill(0);
  for (const at of times) if (at >= from && at < to) seconds[Math.floor((at - from) / 1000)]! += 1;
  return seconds;
}

/** Per-second counts summarised; `max10s` is the busiest ten consecutive seconds' mean, the sustained rate. */
function summary(counts: number[]) {
  const sorted = [...counts].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const mean = sum(counts) / Math.max(counts.length, 1);
  let max10s = 0;
  for (let i = 0; i + 10 <= counts.length; i++) max10s = Math.max(max10s, sum(counts.slice(i, i + 10)) / 10);
  return {
    seconds: counts.length,
    mean: Number(mean.toFixed(1)),
    p50: at(0.5),
    p99: at(0.99),
    max: at(1),
    max10s: Number(max10s.toFixed(1)),
  };
}

/** "0-9: 3 s, 10-19: 40 s, …": how many seconds saw each band of counts. */
function histogram(counts: number[], width: number): Record<string, number> {
  const bands: Record<string, number> = {};
  for (const count of counts) {
    const low = Math.floor(count / width) * width;
    const key = `${low}-${low + width - 1}`;
    bands[key] = (bands[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(bands).sort(([a], [b]) => parseInt(a) - parseInt(b)));
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const awsStateDir = sharedAwsStateDir(randomBytes(4).toString('hex'), tmpdir());
  const aws = installZeroLatencyAws(new SharedAwsState(awsStateDir));
  let env: TestWorkflowEnvironment | undefined;
  let address = args['temporal-address'];
  if (!address) {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: await ensureTemporalCli(log) },
        ip: '127.0.0.1',
        searchAttributes: [...installSearchAttributes],
      },
    });
    address = env.address;
  }
  const connection = await Connection.connect({ address });
  const connections: NativeConnection[] = [];
  const client = new Client({ connection, namespace: args.namespace });
  const ids: string[] = [];
  const workers: InstallWorker[] = [];
  const runs: Array<Promise<void>> = [];
  try {
    log(
      `periodic checks: ${installs} installs re-verified every ${args.period} on ${address}, ${workerCount} workers, ` +
        `vendor-calls ceiling ${ceiling}/s; measuring ${periods} periods`,
    );
    const bundle = {
      code: args['workflow-bundle']
        ? readFileSync(args['workflow-bundle'], 'utf8')
        : (await bundleWorkflowCode({ ...workflowBundleOptions, logger: new DefaultLogger('ERROR') })).code,
    };
    for (let i = 0; i < workerCount; i++) {
      // A connection each: Temporal refuses two workers of one queue on one connection, as separate processes would be.
      const workerConnection = await NativeConnection.connect({ address });
      connections.push(workerConnection);
      const worker = await createCountingWorker(workerConnection, bundle);
      workers.push(worker);
      runs.push(worker.run());
    }

    const onboardingStarted = Date.now();
    let activeSoFar = 0;
    const active = await inParallel(installs, concurrency, async (index) => {
      const result = await onboard(client, index, ids);
      if (++activeSoFar % 500 === 0) log(`  ${activeSoFar} active`);
      return result;
    });
    const onboardingEnded = Date.now();
    log(`  all ${installs} active in ${((onboardingEnded - onboardingStarted) / 1000).toFixed(0)} s`);

    // Whole seconds, so the per-second figures are of wall-clock seconds.
    const from = Math.ceil(onboardingEnded / 1000) * 1000;
    const to = from + periods * periodMs!;
    // Wait out the window, then for each install's check of its last slot in it (it may start late, under the ceiling).
    await new Promise((resolve) => setTimeout(resolve, to - Date.now()));
    const lastSlotServed = (installId: string) => {
      const lastSlot = nextSlotAfter(installId, 'reverify', periodMs!, to - 1) - periodMs!;
      return vendorStarts.some((s) => s.installId === installId && s.name === 'verifyRoleAccess' && s.at >= lastSlot);
    };
    const drainDeadline = Date.now() + periodMs!;
    let waiting = ids.filter((id) => !lastSlotServed(id));
    while (waiting.length > 0 && Date.now() < drainDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      waiting = waiting.filter((id) => !lastSlotServed(id));
    }

    // Each window slot of each install, and the re-verification that served it: the first verifyRoleAccess after it.
    const checksByInstall = new Map<string, number[]>();
    for (const start of vendorStarts) {
      if (start.name !== 'verifyRoleAccess' || !start.installId) continue;
      const list = checksByInstall.get(start.installId) ?? [];
      list.push(start.at);
      checksByInstall.set(start.installId, list);
    }
    const lags: number[] = [];
    const checksPerSlot: Record<string, number> = {};
    const missed: Array<{ installId: string; slot: string; checks: string[] }> = [];
    let installsCheckedEveryPeriod = 0;
    for (const { installId } of active) {
      const checks = checksByInstall.get(installId) ?? [];
      let everyPeriod = true;
      for (let slot = nextSlotAfter(installId, 'reverify', periodMs!, from - 1); slot < to; slot += periodMs!) {
        const served = checks.filter((at) => at >= slot && at < slot + periodMs!);
        checksPerSlot[served.length] = (checksPerSlot[served.length] ?? 0) + 1;
        if (served.length !== 1) everyPeriod = false;
        if (served.length === 0 && missed.length < 5) {
          missed.push({
            installId,
            slot: new Date(slot).toISOString(),
            checks: checks.map((at) => new Date(at).toISOString()),
          });
        }
        if (served[0] !== undefined) lags.push(served[0] - slot);
      }
      if (everyPeriod) installsCheckedEveryPeriod += 1;
    }
    lags.sort((a, b) => a - b);
    const history = await historyPerCheck(client, checksByInstall, active.slice(0, 5));

    // The same installs without slots: each checked a whole period after it became active, every period.
    const unslotted: number[] = [];
    const vendorCallsPerCheck = vendorStarts.filter((s) => s.at >= from && s.at < to).length / Math.max(lags.length, 1);
    for (const { activatedAt } of active) {
      for (let at = activatedAt + periodMs!; at < to; at += periodMs!) {
        if (at >= from) unslotted.push(at);
      }
    }

    const steady = perSecond(
      vendorStarts.map((s) => s.at),
      from,
      to,
    );
    const onboarding = perSecond(
      vendorStarts.map((s) => s.at),
      onboardingStarted,
      onboardingEnded,
    );
    const results = {
      at: new Date().toISOString(),
      settings: {
        installs,
        period: args.period,
        periods,
        ceilingPerSecond: ceiling,
        workers: workerCount,
        concurrency,
        temporalAddress: args['temporal-address'] ?? 'a fresh dev server',
      },
      onboardingSeconds: (onboardingEnded - onboardingStarted) / 1000,
      window: { from: new Date(from).toISOString(), seconds: (to - from) / 1000 },
      vendorCallsPerSecond: {
        ceiling,
        checks: summary(steady),
        onboarding: summary(onboarding),
        histogram: histogram(steady, Math.max(1, Math.ceil(ceiling / 10))),
      },
      assumeRolePerSecond: summary(perSecond(assumeRoleCalls, from, to)),
      expectedPerSecond: Number(((installs * vendorCallsPerCheck) / (periodMs! / 1000)).toFixed(1)),
      vendorCallsPerCheck: Number(vendorCallsPerCheck.toFixed(2)),
      checkedOncePerPeriod: {
        installs: installsCheckedEveryPeriod,
        of: installs,
        checksPerSlot,
        missed,
        lagAfterSlotMs: {
          p50: lags[Math.floor(lags.length / 2)] ?? NaN,
          p99: lags[Math.floor(lags.length * 0.99)] ?? NaN,
          max: lags.at(-1) ?? NaN,
        },
      },
      history,
      withoutSlots: {
        note: 'computed: each install checked every period from when it became active, as before slots',
        busiestSecondChecks: Math.max(0, ...perSecond(unslotted, from, to)),
      },
      awsCallsByOperation: aws.counts().calls,
    };

    const v = results.vendorCallsPerSecond;
    log('');
    log(
      `vendor calls/s while checking (${v.checks.seconds} s): mean ${v.checks.mean}, p50 ${v.checks.p50}, p99 ${v.checks.p99}, max ${v.checks.max}, busiest 10 s ${v.checks.max10s}/s; ceiling ${ceiling} (max/ceiling ${(v.checks.max / ceiling).toFixed(2)})`,
    );
    log(
      `vendor calls/s while onboarding: mean ${v.onboarding.mean}, max ${v.onboarding.max}, busiest 10 s ${v.onboarding.max10s}/s (max/ceiling ${(v.onboarding.max / ceiling).toFixed(2)})`,
    );
    log(
      `AssumeRole/s while checking: mean ${results.assumeRolePerSecond.mean}, max ${results.assumeRolePerSecond.max}`,
    );
    log(`seconds by vendor calls that second: ${JSON.stringify(v.histogram)}`);
    log(
      `installs checked exactly once in each of ${periods} periods: ${installsCheckedEveryPeriod}/${installs}` +
        ` (checks per slot: ${JSON.stringify(checksPerSlot)}); lag after the slot p50 ${results.checkedOncePerPeriod.lagAfterSlotMs.p50} ms,` +
        ` p99 ${results.checkedOncePerPeriod.lagAfterSlotMs.p99} ms, max ${results.checkedOncePerPeriod.lagAfterSlotMs.max} ms`,
    );
    log(`history per re-verification: ${history.eventsPerCheck} events, ${history.bytesPerCheck} bytes`);
    log(`without slots (computed), the busiest second would start ${results.withoutSlots.busiestSecondChecks} checks`);
    mkdirSync(join(args.out!, '..'), { recursive: true });
    writeFileSync(args.out!, `${JSON.stringify(results, null, 2)}\n`);
    log(`\nwrote ${args.out}`);
  } finally {
    for (const worker of workers) worker.shutdown();
    await Promise.allSettled(runs);
    // Nothing left re-verifying on a shared server once the simulation is gone.
    await inParallel(ids.length, 50, (index) =>
      client.workflow
        .getHandle(ids[index]!)
        .terminate('periodic-checks simulation over')
        .catch(() => undefined),
    );
    for (const workerConnection of connections) await workerConnection.close();
    await connection.close();
    aws.restore();
    rmSync(awsStateDir, { recursive: true, force: true });
    await env?.teardown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
