import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { InstallActivities } from '../activities';

export interface InstallWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: InstallActivities;
  /** A bundle from `bundleWorkflowCode` (production, tests); without it the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Payload codecs (encryption) must match the clients': see security/payload-codec.ts. */
  dataConverter?: WorkerOptions['dataConverter'];
  tuning?: Pick<
    WorkerOptions,
    'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions'
  >;
}

export const workflowsPath = require.resolve('../workflows');

/**
 * Most installs spend their lives waiting (for a role, a runner, a deprovision); a cached workflow costs about
 * 200 KiB of worker memory, so the cache is bounded and waiting installs are evicted and replayed when they wake.
 * The benchmark's footprint figure is what this is tuned from.
 */
export const defaultWorkerTuning: NonNullable<InstallWorkerOptions['tuning']> = {
  maxCachedWorkflows: Number(process.env.MAX_CACHED_WORKFLOWS ?? 1000),
};

/** The one place a worker is assembled, shared by worker/main.ts, the demo and the tests. */
export function createInstallWorker(options: InstallWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    dataConverter: options.dataConverter,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    ...defaultWorkerTuning,
    ...options.tuning,
  });
}
