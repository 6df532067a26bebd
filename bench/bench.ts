import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { sharedAwsStateDir } from './aws-state';
import { historyFigures, percentiles } from './figures';
import { measureLifecycleShape } from './install-shape';
import { measureWaitingFootprint, startFootprintWorker } from './footprint';
import { driveBatch, driveRounds, type Driver, type Kind, type Totals } from './lifecycle';
import type { BenchSettings } from './options';
import type { BenchResult } from './result';
import type { BenchServer } from './servers';
import { startWorkerPool, sumStats, type BenchWorkerProcess, type WorkerPool } from './worker-pool';
import { workflowBundleOptions } from '../worker/install-worker';

/** Bundles what the worker bundles (workflows/index.ts, the tracing interceptors) plus the baseline, once per run or matrix. */
export async function bundleBenchWorkflows(dir: string): Promise<string> {
  const bundle = await bundleWorkflowCode({
    ...workflowBundleOptions,
    workflowsPath: require.resolve('./workflows'),
    logger: new DefaultLogger('ERROR'),
  });
  const path = join(dir, 'bench-workflows.js');
  writeFileSync(path, bundle.code);
  return path;
}

const historySample = 20;

/** Both started side by side (each takes seconds); if either fails, the other is stopped. */
async function startWorkers(
  pool: Promise<WorkerPool>,
  footprint: Promise<BenchWorkerProcess>,
): Promise<[WorkerPool, BenchWorkerProcess]> {
  const [started, worker] = await Promise.allSettled([pool, footprint]);
  if (started.status === 'fulfilled' && worker.status === 'fulfilled') return [started.value, worker.value];
  if (started.status === 'fulfilled') await started.value.stop();
  if (worker.status === 'fulfilled') await worker.value.kill();
  throw started.status === 'rejected' ? started.reason : (worker as PromiseRejectedResult).reason;
}

/** A lifecycle that failed or hung says little alone: add what the workers saw (their failures, their logs). */
async function explainFailure<T>(pool: WorkerPool, logDir: string, drive: () => Promise<T>): Promise<T> {
  try {
    return await drive();
  } catch (error) {
    const stats = await pool.stats().catch(() => undefined);
    const seen = stats
      ? `workers saw ${stats.workflowTaskFailures} workflow task failures, ${stats.activityFailures} activity ` +
        `failures, unanswered AWS calls ${JSON.stringify(stats.unanswered)}; first: ${stats.samples.join(' | ')}`
      : 'the workers did not answer';
    const exits = pool.unexpectedExits().join('\n');
    throw new Error(`${(error as Error).message}\n${seen}\n${exits}\nlogs: ${logDir}`, { cause: error });
  }
}

function throughputOf(totals: Totals) {
  const rate = (kind: Kind) => totals[kind].runs.length / totals[kind].seconds;
  return {
    installsPerSecond: rate('install'),
    baselinePerSecond: rate('baseline'),
    ratio: rate('install') / rate('baseline'),
  };
}

function outcomesOf(totals: Totals): BenchResult['outcomes'] {
  const count = (kind: Kind) =>
    totals[kind].runs.reduce<Record<string, number>>((phases, run) => {
      phases[run.finalPhase] = (phases[run.finalPhase] ?? 0) + 1;
      return phases;
    }, {});
  return { install: count('install'), baseline: count('baseline') };
}

/**
 * One measured run on a server that is already up: N worker processes serve both kinds on a task queue of the
 * run's own; a warm-up, then `rounds` interleaved batches of installs and baseline runs; history, AWS calls and
 * failures from the workers; then the footprint of one more worker, alone on its own queue, with installs waiting.
 *
 * @example
 * const server = await startBenchServer({ kind: 'dev' }, { log });
 * const result = await runBench({ server, settings: { ...defaultSettings, workers: 2 }, log });
 * problemsOf(result); // [] on a sound run
 */
export async function runBench(options: {
  server: BenchServer;
  settings: BenchSettings;
  log: (line: string) => void;
  /** From bundleBenchWorkflows; bundled here when absent. */
  bundlePath?: string;
}): Promise<BenchResult> {
  const { server, settings, log } = options;
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const runId = randomBytes(4).toString('hex');
  const runDir = mkdtempSync(join(tmpdir(), `bench-${runId}-`));
  const taskQueue = `bench-${runId}`;
  const runnerTokenKey = randomBytes(32);
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const awsStateDir = sharedAwsStateDir(runId, runDir);
    cleanups.push(async () => rmSync(awsStateDir, { recursive: true, force: true }));
    const workerConfig = {
      address: server.address,
      namespace: server.namespace,
      bundlePath: options.bundlePath ?? (await bundleBenchWorkflows(runDir)),
      awsStateDir,
      runnerTokenKeyHex: runnerTokenKey.toString('hex'),
    };
    log(
      `bench on the ${server.kind} server at ${server.address}: ${settings.installs} installs and as many baseline ` +
        `runs in ${settings.rounds} rounds, ${settings.concurrency} in flight, ${settings.workers} worker ` +
        `process(es); ${settings.waiting} waiting installs for the footprint; logs in ${runDir}`,
    );
    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: server.namespace });
    const footprintQueue = `${taskQueue}-footprint`;
    const [pool, footprintWorker] = await startWorkers(
      startWorkerPool(settings.workers, { ...workerConfig, taskQueue }, runDir),
      startFootprintWorker({ ...workerConfig, taskQueue: footprintQueue }, runDir),
    );
    cleanups.push(
      () => pool.stop(),
      () => footprintWorker.kill(),
    );
    log(`  ${settings.workers} worker process(es) and the footprint's ready at ${elapsed()}`);

    const driver: Driver = { client, taskQueue, runnerTokenKey, lifecycleTimeoutMs: settings.lifecycleTimeoutMs };
    const { totals, warmup } = await explainFailure(pool, runDir, async () => {
      // Warm-up: JIT, sticky caches, connections; its counts are kept apart from the measured ones. The install goes
      // first: the baseline copies the shape of its history.
      const installWarmup = await driveBatch(
        driver,
        'install',
        Math.max(1, settings.warmup),
        settings.concurrency,
        'warmup',
      );
      driver.baselineShape = await measureLifecycleShape(client, installWarmup.runs[0]!.workflowId);
      await driveBatch(driver, 'baseline', settings.warmup, settings.concurrency, 'warmup');
      const warmup = await pool.reset();
      return { totals: await driveRounds(driver, settings, log), warmup };
    });
    const measured = await pool.stats();
    const unexpectedExits = pool.unexpectedExits();
    await pool.stop();

    const installs = totals.install.runs.length;
    const sample = (kind: Kind) => totals[kind].runs.slice(0, historySample).map((run) => run.workflowId);
    const installHistory = await historyFigures(client, sample('install'));
    const baselineHistory = await historyFigures(client, sample('baseline'));
    const { footprint, stats: footprintStats } = await measureWaitingFootprint({
      client,
      worker: footprintWorker,
      taskQueue: footprintQueue,
      waiting: settings.waiting,
      concurrency: settings.concurrency,
      cleanUp: server.kind === 'external',
    });
    log(`  histories read and footprint measured at ${elapsed()}`);

    const health = sumStats([warmup, measured, footprintStats]);
    const latencies = (kind: Kind) => percentiles(totals[kind].runs.map((run) => run.verifyLatencyMs));
    return {
      at: new Date().toISOString(),
      server: { kind: server.kind, address: server.address, namespace: server.namespace },
      settings,
      installs,
      throughput: throughputOf(totals),
      verifyLatencyMs: { install: latencies('install'), baseline: latencies('baseline') },
      history: {
        install: installHistory,
        baseline: baselineHistory,
        eventsRatio: installHistory.eventsPerRun / baselineHistory.eventsPerRun,
        payloadBytesRatio: installHistory.payloadBytesPerRun / baselineHistory.payloadBytesPerRun,
      },
      awsCalls: {
        perInstall: Object.values(measured.calls).reduce((sum, calls) => sum + calls, 0) / installs,
        byOperation: Object.fromEntries(
          Object.entries(measured.calls).map(([operation, calls]) => [operation, calls / installs]),
        ),
      },
      footprint,
      outcomes: outcomesOf(totals),
      workers: {
        processes: settings.workers,
        workflowTaskFailures: health.workflowTaskFailures,
        activityFailures: health.activityFailures,
        unansweredAwsCalls: health.unanswered,
        unexpectedExits,
        samples: health.samples,
        logDir: runDir,
      },
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}
