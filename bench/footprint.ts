import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { installInput } from './lifecycle';
import { BenchWorkerProcess } from './worker-pool';
import type { WorkerProcessConfig, WorkerProcessStats } from './worker-process';

export interface Footprint {
  waitingInstalls: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  bytesPerWaitingInstall: number;
  cachedWorkflows: number;
}

const waitDeadlineMs = 600_000;

/** `count` starts, `concurrency` at a time. */
async function inParallel(count: number, concurrency: number, task: (index: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** The footprint's worker, started beside the run's pool (it idles on its own task queue until measured). */
export function startFootprintWorker(config: WorkerProcessConfig, logDir: string): Promise<BenchWorkerProcess> {
  return BenchWorkerProcess.start(config, join(logDir, 'footprint-worker.log'));
}

/**
 * Worker memory with `waiting` installs waiting for their role, where most installs spend their lives: one worker
 * process alone on its own task queue, read before and after they all reach the wait. On a server the benchmark
 * did not start, the waiting installs are terminated afterwards, so they do not wait there for days.
 */
export async function measureWaitingFootprint(options: {
  client: Client;
  /** From startFootprintWorker: idle on its own task queue until now. */
  worker: BenchWorkerProcess;
  taskQueue: string;
  waiting: number;
  concurrency: number;
  cleanUp: boolean;
}): Promise<{ footprint: Footprint; stats: WorkerProcessStats }> {
  const { client, waiting, worker } = options;
  const workflowIds: string[] = [];
  try {
    const before = await worker.stats();
    await inParallel(waiting, options.concurrency, async (index) => {
      const workflowId = `waiting-${index}-${randomBytes(3).toString('hex')}`;
      workflowIds.push(workflowId);
      await client.workflow.start('installWorkflow', {
        workflowId,
        taskQueue: options.taskQueue,
        args: [installInput(workflowId)],
      });
    });
    const deadline = Date.now() + waitDeadlineMs;
    let after = await worker.stats();
    while (after.onboarded < waiting) {
      if (Date.now() > deadline) {
        throw new Error(`only ${after.onboarded} of ${waiting} installs reached the wait for their role in time`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
      after = await worker.stats();
    }
    const footprint = {
      waitingInstalls: waiting,
      rssBeforeMiB: before.rssBytes / 2 ** 20,
      rssAfterMiB: after.rssBytes / 2 ** 20,
      bytesPerWaitingInstall: (after.rssBytes - before.rssBytes) / waiting,
      cachedWorkflows: after.cachedWorkflows,
    };
    return { footprint, stats: after };
  } finally {
    await worker.kill();
    if (options.cleanUp) {
      await inParallel(workflowIds.length, options.concurrency, (index) =>
        client.workflow
          .getHandle(workflowIds[index]!)
          .terminate('benchmark footprint measured')
          .catch(() => undefined),
      );
    }
  }
}
