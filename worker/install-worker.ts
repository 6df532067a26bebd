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
 * Most installs spend their lives waiting (for a role, a runner, a deprovision), and a waiting install replays in
 * milliseconds when it wakes: the cache is for installs at work. Each cached workflow keeps V8 growing its heap by
 * about half a MiB more than the little it holds (the SDK's sandbox, and a stack trace made for every promise);
 * the worker's RSS was 869 MiB with 1,000 cached and 3,000 installs waiting; 506 with 250 and 362 with 150 with 10,000
 * (bench/README.md, tuning). 200 keeps it under 512 MiB with room for the bench's and the load test's in-flight ones.
 */
export const defaultWorkerTuning: NonNullable<InstallWorkerOptions['tuning']> = {
  maxCachedWorkflows: Number(process.env.MAX_CACHED_WORKFLOWS ?? 200),
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
