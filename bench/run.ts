import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { ensureTemporalCli } from '../devstack/tools';
import { deriveRunnerToken, sha256Hex } from '../security/runner-token';
import { defaultWorkerTuning } from '../worker/install-worker';
import { installSearchAttributes } from '../workflows/search-attributes';
import type { InstallInput, InstallStatus } from '../workflows/definitions';
import { createBaselineActivities } from './baseline-activities';
import { installZeroLatencyAws, zeroLatencyActivityDeps } from './zero-latency-aws';

const { values: args } = parseArgs({
  options: {
    installs: { type: 'string', default: '500' },
    waiting: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '4' },
    out: { type: 'string', default: join(__dirname, 'results', 'latest.json') },
  },
});
const installs = Number(args.installs);
const waitingInstalls = Number(args.waiting);
const concurrency = Number(args.concurrency);
const rounds = Number(args.rounds);
const accountId = '111111111111';
const roleArn = `arn:aws:iam::${accountId}:role/install-access`;
const taskQueue = 'bench';
const runnerTokenKey = randomBytes(32);

type Kind = 'install' | 'baseline';

interface Run {
  kind: Kind;
  workflowId: string;
  verifyLatencyMs: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function pollStatus<T>(handle: WorkflowHandle, ready: (status: T) => boolean): Promise<T> {
  for (;;) {
    const status = (await handle.query('getStatus')) as T;
    if (ready(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One whole lifecycle, driven the same way for both kinds: submit, wait for the hand-off, check in, deprovision. */
async function drive(client: Client, kind: Kind, index: number, round: number): Promise<Run> {
  const workflowId = `${kind}-${round}-${index}-${randomBytes(3).toString('hex')}`;
  const input: InstallInput = { installId: workflowId, orgId: 'bench', awsAccountId: accountId, region: 'us-east-1' };
  const handle = await client.workflow.start(kind === 'install' ? 'installWorkflow' : 'baselineWorkflow', {
    workflowId,
    taskQueue,
    args: kind === 'install' ? [input] : [],
  });
  const submitted = performance.now();
  await handle.executeUpdate('submitRoleArn', { args: [{ roleArn }] });
  const verifyLatencyMs = performance.now() - submitted;
  let checkIn: unknown = {};
  if (kind === 'install') {
    const status = await pollStatus<InstallStatus>(handle, (s) => s.phase === 'handing_off' && s.runner !== undefined);
    const registrationId = status.runner!.registrationId;
    const token = deriveRunnerToken(runnerTokenKey, workflowId, registrationId);
    checkIn = { registrationId, tokenSha256: sha256Hex(token), runnerId: 'bench-runner' };
  } else {
    await pollStatus<{ ready: boolean }>(handle, (s) => s.ready);
  }
  await handle.executeUpdate('runnerCheckIn', { args: [checkIn] });
  await handle.executeUpdate('requestDeprovision', { args: [{}] });
  await handle.result();
  return { kind, workflowId, verifyLatencyMs };
}

async function batch(
  client: Client,
  kind: Kind,
  count: number,
  round: number,
): Promise<{ runs: Run[]; seconds: number }> {
  const started = performance.now();
  const runs: Run[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) runs.push(await drive(client, kind, next++, round));
    }),
  );
  return { runs, seconds: (performance.now() - started) / 1000 };
}

async function historyFigures(client: Client, workflowIds: string[]) {
  let events = 0;
  let payloadBytes = 0;
  for (const workflowId of workflowIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    events += history.events?.length ?? 0;
    const walk = (node: unknown): void => {
      if (node instanceof Uint8Array) payloadBytes += node.byteLength;
      else if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') Object.values(node).forEach(walk);
    };
    walk(history.events);
  }
  return { eventsPerRun: events / workflowIds.length, payloadBytesPerRun: payloadBytes / workflowIds.length };
}

function residentBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) * 1024;
}

async function measureWaitingFootprint(client: Client, address: string, bundlePath: string) {
  const footprintQueue = 'bench-footprint';
  const child = fork(
    join(__dirname, 'footprint-worker.ts'),
    ['--address', address, '--task-queue', footprintQueue, '--bundle', bundlePath],
    {
      execArgv: ['--import', 'tsx'],
    },
  );
  const ask = () =>
    new Promise<{ onboarded: number; cachedWorkflows: number }>((resolve) => {
      child.once('message', (message) => resolve(message as { onboarded: number; cachedWorkflows: number }));
      child.send('status');
    });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`footprint worker exited with ${code}`)));
    });
    const rssBefore = residentBytes(child.pid!);
    let launched = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (launched < waitingInstalls) {
          const workflowId = `waiting-${launched++}-${randomBytes(3).toString('hex')}`;
          await client.workflow.start('installWorkflow', {
            workflowId,
            taskQueue: footprintQueue,
            args: [{ installId: workflowId, orgId: 'bench', awsAccountId: accountId, region: 'us-east-1' }],
          });
        }
      }),
    );
    let status = await ask();
    while (status.onboarded < waitingInstalls) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      status = await ask();
    }
    const rssAfter = residentBytes(child.pid!);
    return {
      waitingInstalls,
      rssBeforeMiB: rssBefore / 2 ** 20,
      rssAfterMiB: rssAfter / 2 ** 20,
      bytesPerWaitingInstall: (rssAfter - rssBefore) / waitingInstalls,
      cachedWorkflows: status.cachedWorkflows,
    };
  } finally {
    child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const log = (line: string) => console.log(line);
  const temporalCli = await ensureTemporalCli(log);
  log(
    `bench: ${installs} installs vs ${installs} baseline runs in ${rounds} interleaved rounds, ${concurrency} in flight; ${waitingInstalls} waiting installs for the footprint`,
  );
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCli },
      ip: '127.0.0.1',
      searchAttributes: [...installSearchAttributes],
    },
  });
  const aws = installZeroLatencyAws(accountId);
  try {
    const deps = await zeroLatencyActivityDeps(runnerTokenKey);
    const activities = { ...createActivities(deps), ...createBaselineActivities() };
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('./workflows'),
      logger: new DefaultLogger('ERROR'),
    });
    const bundlePath = join(mkdtempSync(join(tmpdir(), 'bench-')), 'workflows.js');
    writeFileSync(bundlePath, bundle.code);
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities,
      ...defaultWorkerTuning,
    });
    const client = env.client;

    const results = await worker.runUntil(async () => {
      // Warm-up: JIT, sticky cache, connections; not measured.
      await batch(client, 'baseline', 20, -1);
      await batch(client, 'install', 20, -1);
      aws.reset();

      const totals: Record<Kind, { runs: Run[]; seconds: number }> = {
        install: { runs: [], seconds: 0 },
        baseline: { runs: [], seconds: 0 },
      };
      const perRound = Math.ceil(installs / rounds);
      for (let round = 0; round < rounds; round++) {
        // Alternate which kind goes first, so neither always meets a warmer or busier server.
        const order: Kind[] = round % 2 === 0 ? ['baseline', 'install'] : ['install', 'baseline'];
        for (const kind of order) {
          const result = await batch(client, kind, perRound, round);
          totals[kind].runs.push(...result.runs);
          totals[kind].seconds += result.seconds;
          log(`  round ${round + 1}/${rounds} ${kind}: ${result.runs.length} in ${result.seconds.toFixed(1)} s`);
        }
      }
      const awsCallsPerInstall = aws.totalCalls() / totals.install.runs.length;
      const callsByOperation = Object.fromEntries(
        [...aws.calls].map(([operation, count]) => [operation, count / totals.install.runs.length]),
      );

      const sample = (kind: Kind) => totals[kind].runs.slice(0, 20).map((run) => run.workflowId);
      const installHistory = await historyFigures(client, sample('install'));
      const baselineHistory = await historyFigures(client, sample('baseline'));

      // Footprint: installs waiting for their role, where most of them spend their lives, on a worker that has its
      // own process so nothing of the benchmark's own is in the figure.
      const footprint = await measureWaitingFootprint(client, env.address, bundlePath);
      const rate = (kind: Kind) => totals[kind].runs.length / totals[kind].seconds;
      const latencies = (kind: Kind) => totals[kind].runs.map((run) => run.verifyLatencyMs).sort((a, b) => a - b);
      const install = latencies('install');
      const baseline = latencies('baseline');
      return {
        installs: totals.install.runs.length,
        throughput: {
          installsPerSecond: rate('install'),
          baselinePerSecond: rate('baseline'),
          ratio: rate('install') / rate('baseline'),
        },
        verifyLatencyMs: {
          install: { p50: percentile(install, 50), p95: percentile(install, 95), p99: percentile(install, 99) },
          baseline: { p50: percentile(baseline, 50), p95: percentile(baseline, 95), p99: percentile(baseline, 99) },
        },
        history: {
          install: installHistory,
          baseline: baselineHistory,
          eventsRatio: installHistory.eventsPerRun / baselineHistory.eventsPerRun,
          payloadBytesRatio: installHistory.payloadBytesPerRun / baselineHistory.payloadBytesPerRun,
        },
        awsCalls: { perInstall: awsCallsPerInstall, byOperation: callsByOperation },
        footprint,
      };
    });

    const table = [
      ['figure', 'install', 'baseline', 'ratio'],
      [
        'runs/s (end to end)',
        results.throughput.installsPerSecond.toFixed(1),
        results.throughput.baselinePerSecond.toFixed(1),
        results.throughput.ratio.toFixed(2),
      ],
      ...(['p50', 'p95', 'p99'] as const).map((p) => [
        `submit→verified ${p} ms`,
        results.verifyLatencyMs.install[p].toFixed(1),
        results.verifyLatencyMs.baseline[p].toFixed(1),
        (results.verifyLatencyMs.install[p] / results.verifyLatencyMs.baseline[p]).toFixed(2),
      ]),
      [
        'history events / run',
        results.history.install.eventsPerRun.toFixed(0),
        results.history.baseline.eventsPerRun.toFixed(0),
        results.history.eventsRatio.toFixed(2),
      ],
      [
        'payload bytes / run',
        results.history.install.payloadBytesPerRun.toFixed(0),
        results.history.baseline.payloadBytesPerRun.toFixed(0),
        results.history.payloadBytesRatio.toFixed(2),
      ],
      ['AWS calls / install', results.awsCalls.perInstall.toFixed(1), '-', '-'],
      [
        `worker RSS, ${waitingInstalls} waiting (MiB)`,
        results.footprint.rssAfterMiB.toFixed(0),
        `before ${results.footprint.rssBeforeMiB.toFixed(0)}`,
        `${(results.footprint.bytesPerWaitingInstall / 1024).toFixed(1)} KiB each`,
      ],
    ];
    const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
    log('');
    for (const row of table) log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
    log(`\nAWS calls per install by operation: ${JSON.stringify(results.awsCalls.byOperation)}`);
    log(`workflows in the worker's cache after the footprint run: ${results.footprint.cachedWorkflows}`);
    mkdirSync(join(args.out!, '..'), { recursive: true });
    writeFileSync(
      args.out!,
      `${JSON.stringify({ at: new Date().toISOString(), settings: { installs, waitingInstalls, concurrency, rounds }, ...results }, null, 2)}\n`,
    );
    log(`\nwrote ${args.out}`);
  } finally {
    aws.restore();
    await env.teardown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
