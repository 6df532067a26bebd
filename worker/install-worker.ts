import { Worker, type BundleOptions, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { InstallActivities } from '../activities';
import { callsAwsAsVendor, vendorCallsPerSecond, vendorCallsTaskQueue } from '../domain/vendor-calls';
import { workerTelemetry, type Tracing } from './telemetry';

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
  /**
   * Ceiling on activities started per second from the vendor-calls queue, by all workers together
   * (domain/vendor-calls.ts; VENDOR_CALLS_PER_SECOND). Every worker must set the same value: the server keeps the
   * value of the last poll, and a worker without one would lift the limit.
   */
  vendorCallsPerSecond?: number;
  /** Where workflow and activity spans go (config/tracing.ts); none when omitted, the bundle's interceptors idle. */
  tracing?: Tracing;
}

export const workflowsPath = require.resolve('../workflows');

/**
 * The OpenTelemetry workflow interceptors (loaded only by a workflow started with a trace context), in every bundle so
 * that a worker continues the trace an API request started; they add no command to a workflow's history.
 */
export const workflowInterceptorModules = [require.resolve('../workflows/tracing-interceptors')];

/** What every bundle of the install workflows is built from: the worker's own, the test stack's and the bench's. */
export const workflowBundleOptions = { workflowsPath, workflowInterceptorModules } satisfies Pick<
  BundleOptions,
  'workflowsPath' | 'workflowInterceptorModules'
>;

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

/**
 * One install worker is two Temporal workers on one connection: the install's task queue (workflows, and the
 * activities that make no AWS call as the vendor) and its vendor-calls queue, rate-limited by the server for every
 * worker at once. Run, run-until and shut down as one.
 */
export class InstallWorker {
  constructor(
    readonly installQueue: Worker,
    readonly vendorCalls: Worker,
  ) {}

  /** Until both stop; if one fails, the other is shut down and the failure thrown. */
  async run(): Promise<void> {
    const runs = [this.installQueue.run(), this.vendorCalls.run()];
    try {
      await Promise.all(runs);
    } catch (error) {
      this.shutdown();
      await Promise.allSettled(runs);
      throw error;
    }
  }

  /** Like Worker.runUntil: both workers poll while `body` runs, and stop when it settles. */
  runUntil<R>(body: Promise<R> | (() => Promise<R>)): Promise<R> {
    return this.installQueue.runUntil(() => this.vendorCalls.runUntil(body));
  }

  shutdown(): void {
    for (const worker of [this.installQueue, this.vendorCalls]) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  }
}

/** The one place a worker is assembled, shared by worker/main.ts, the demo, the benchmarks and the tests. */
export async function createInstallWorker(options: InstallWorkerOptions): Promise<InstallWorker> {
  const common = {
    connection: options.connection,
    namespace: options.namespace,
    dataConverter: options.dataConverter,
    ...workerTelemetry(options.tracing),
  };
  const installQueue = await Worker.create({
    ...common,
    taskQueue: options.taskQueue,
    // All of them: an install whose history predates the vendor-calls queue still schedules every activity here.
    activities: options.activities,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath, interceptors: { ...common.interceptors, workflowModules: workflowInterceptorModules } }),
    ...defaultWorkerTuning,
    ...options.tuning,
  });
  const vendorCalls = await Worker.create({
    ...common,
    taskQueue: vendorCallsTaskQueue(options.taskQueue),
    activities: Object.fromEntries(Object.entries(options.activities).filter(([name]) => callsAwsAsVendor(name))),
    maxTaskQueueActivitiesPerSecond: options.vendorCallsPerSecond ?? vendorCallsPerSecond.default,
    maxConcurrentActivityTaskExecutions: options.tuning?.maxConcurrentActivityTaskExecutions,
  });
  return new InstallWorker(installQueue, vendorCalls);
}
