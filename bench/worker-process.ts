import { NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createInstallWorker } from '../worker/install-worker';
import { SharedAwsState } from './aws-state';
import { createBaselineActivities } from './baseline-activities';
import { countingLogger, type WorkerHealth } from './worker-health';
import { installZeroLatencyAws, zeroLatencyActivityDeps, type AwsCallCounts } from './zero-latency-aws';

/** How the parent configures a worker process: passed as its one argument, JSON. */
export interface WorkerProcessConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  bundlePath: string;
  awsStateDir: string;
  runnerTokenKeyHex: string;
}

/** A worker process's answer to `stats` and `reset` (reset answers with what it cleared). */
export interface WorkerProcessStats extends AwsCallCounts, WorkerHealth {
  /** Installs that asked for their onboarding artifacts: they are waiting for their role from then on. */
  onboarded: number;
  cachedWorkflows: number;
  rssBytes: number;
}

export type WorkerRequest = { id: number; kind: 'stats' | 'reset' } | { id: number; kind: 'stop' };
export type WorkerReply = { kind: 'ready' } | { id: number; kind: 'stats'; stats: WorkerProcessStats };

/**
 * One benchmark worker in its own process (forked by worker-pool.ts): the production worker assembly
 * (createInstallWorker) serving the install's and the baseline's workflows and activities on one task queue, with
 * the real activities on the zero-latency AWS. Its memory is its own, so the footprint is read without the
 * benchmark's client in the figure; its AWS calls and failures are counted here and asked for over IPC.
 */
async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]!) as WorkerProcessConfig;
  const health = countingLogger();
  Runtime.install({
    logger: health.logger,
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const aws = installZeroLatencyAws(new SharedAwsState(config.awsStateDir));
  const install = createActivities(await zeroLatencyActivityDeps(Buffer.from(config.runnerTokenKeyHex, 'hex')));
  let onboarded = 0;
  const activities = {
    ...install,
    ...createBaselineActivities(),
    prepareOnboarding: async (input: { installId: string }) => {
      onboarded += 1;
      return install.prepareOnboarding(input);
    },
  };
  const connection = await NativeConnection.connect({ address: config.address });
  try {
    const worker = await createInstallWorker({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      activities,
      workflowBundle: { codePath: config.bundlePath },
    });
    const stats = (): WorkerProcessStats => ({
      ...aws.counts(),
      ...health.snapshot(),
      onboarded,
      cachedWorkflows: worker.installQueue.getStatus().numCachedWorkflows,
      rssBytes: process.memoryUsage().rss,
    });
    const reply = (message: WorkerReply) => process.send?.(message);
    process.on('message', (request: WorkerRequest) => {
      if (request.kind === 'stop') return worker.shutdown();
      reply({ id: request.id, kind: 'stats', stats: stats() });
      if (request.kind === 'reset') {
        aws.reset();
        health.reset();
      }
    });
    // The parent going away (killed, crashed) ends the worker too: nothing of a run may outlive it.
    process.on('disconnect', () => worker.shutdown());
    const running = worker.run();
    reply({ kind: 'ready' });
    await running;
  } finally {
    await connection.close();
  }
}

main().then(
  // The IPC channel would keep the process alive after its worker has stopped.
  () => process.disconnect?.(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
