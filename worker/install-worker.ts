import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { InstallActivities } from '../activities';

export interface InstallWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: InstallActivities;
  /** A bundle from `bundleWorkflowCode` (production, tests); without it the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  tuning?: Pick<
    WorkerOptions,
    'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions'
  >;
}

export const workflowsPath = require.resolve('../workflows');

/** The one place a worker is assembled, shared by worker/main.ts, the demo and the tests. */
export function createInstallWorker(options: InstallWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    ...options.tuning,
  });
}
