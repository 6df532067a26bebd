import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerProcessConfig, WorkerProcessStats, WorkerReply, WorkerRequest } from './worker-process';

const readyTimeoutMs = 120_000;
const stopTimeoutMs = 15_000;

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** One forked worker-process.ts, spoken to over IPC; its output goes to its own log file. */
export class BenchWorkerProcess {
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (stats: WorkerProcessStats) => void; reject: (error: Error) => void }
  >();
  /** Set when the process ended without being asked to: the run's figures are then not to be trusted. */
  unexpectedExit: string | undefined;
  private stopping = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    child.on('message', (reply: WorkerReply) => {
      if (reply.kind !== 'stats') return;
      this.pending.get(reply.id)?.resolve(reply.stats);
      this.pending.delete(reply.id);
    });
    child.on('exit', (code, signal) => {
      if (!this.stopping) this.unexpectedExit = `exited (${signal ?? code}); log: ${logFile}\n${tail(logFile)}`;
      for (const { reject } of this.pending.values()) reject(new Error(`bench worker exited; log: ${logFile}`));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(config: WorkerProcessConfig, logFile: string): Promise<BenchWorkerProcess> {
    const log = openSync(logFile, 'a');
    const child = fork(join(__dirname, 'worker-process.ts'), [JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', log, log, 'ipc'],
    });
    closeSync(log);
    const worker = new BenchWorkerProcess(child, logFile);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(`bench worker not ready within ${readyTimeoutMs / 1000} s; log: ${logFile}\n${tail(logFile)}`),
        );
      }, readyTimeoutMs);
      child.once('message', (reply: WorkerReply) => {
        clearTimeout(timer);
        if (reply.kind === 'ready') resolve();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(`bench worker exited (${signal ?? code}) before it was ready; log: ${logFile}\n${tail(logFile)}`),
        );
      });
    });
    return worker;
  }

  private ask(kind: 'stats' | 'reset'): Promise<WorkerProcessStats> {
    if (this.unexpectedExit) return Promise.reject(new Error(`bench worker ${this.unexpectedExit}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, kind } satisfies WorkerRequest);
    });
  }

  stats(): Promise<WorkerProcessStats> {
    return this.ask('stats');
  }

  /** Clears its counts (after the warm-up); answers with what it cleared. */
  reset(): Promise<WorkerProcessStats> {
    return this.ask('reset');
  }

  /** Graceful shutdown, then SIGKILL if it takes too long. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ id: this.nextId++, kind: 'stop' } satisfies WorkerRequest);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** At once, for the footprint worker whose thousands of waiting installs need no graceful goodbye. */
  async kill(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** Adds up what every worker process counted, so AWS calls and failures are the run's, wherever they happened. */
export function sumStats(all: WorkerProcessStats[]): WorkerProcessStats {
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + value;
    return into;
  };
  return all.reduce<WorkerProcessStats>(
    (sum, one) => ({
      calls: add(sum.calls, one.calls),
      unanswered: add(sum.unanswered, one.unanswered),
      workflowTaskFailures: sum.workflowTaskFailures + one.workflowTaskFailures,
      activityFailures: sum.activityFailures + one.activityFailures,
      samples: [...new Set([...sum.samples, ...one.samples])].slice(0, 5),
      onboarded: sum.onboarded + one.onboarded,
      cachedWorkflows: sum.cachedWorkflows + one.cachedWorkflows,
      rssBytes: sum.rssBytes + one.rssBytes,
    }),
    {
      calls: {},
      unanswered: {},
      workflowTaskFailures: 0,
      activityFailures: 0,
      samples: [],
      onboarded: 0,
      cachedWorkflows: 0,
      rssBytes: 0,
    },
  );
}

/**
 * N worker processes on one task queue (1 to any number), started side by side; `stats` adds up their counts.
 *
 * @example
 * const pool = await startWorkerPool(3, config, logDir);
 * await pool.reset(); // after the warm-up
 * const { calls, workflowTaskFailures } = await pool.stats();
 * await pool.stop();
 */
export async function startWorkerPool(count: number, config: WorkerProcessConfig, logDir: string) {
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, index) =>
      BenchWorkerProcess.start(config, join(logDir, `worker-${index + 1}.log`)),
    ),
  );
  const workers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await Promise.all(workers.map((worker) => worker.kill()));
    throw failed.reason;
  }
  return {
    workers,
    stats: async () => sumStats(await Promise.all(workers.map((worker) => worker.stats()))),
    reset: async () => sumStats(await Promise.all(workers.map((worker) => worker.reset()))),
    /** Why a worker ended without being asked to, if one did. */
    unexpectedExits: () => workers.flatMap((worker) => (worker.unexpectedExit ? [worker.unexpectedExit] : [])),
    stop: () => Promise.all(workers.map((worker) => worker.stop())).then(() => undefined),
  };
}

export type WorkerPool = Awaited<ReturnType<typeof startWorkerPool>>;
