import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Footprint } from './footprint';
import type { Kind } from './lifecycle';
import type { BenchSettings } from './options';
import type { BenchServer } from './servers';

interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

interface HistoryFigures {
  eventsPerRun: number;
  payloadBytesPerRun: number;
  shapePerRun: { activities: number; timers: number; childWorkflows: number; searchAttributeUpserts: number };
}

/** One run's record: what bench/results/*.json hold, one per run or one per matrix row. */
export interface BenchResult {
  at: string;
  server: { kind: BenchServer['kind']; address: string; namespace: string };
  settings: BenchSettings;
  installs: number;
  throughput: { installsPerSecond: number; baselinePerSecond: number; ratio: number };
  verifyLatencyMs: { install: Percentiles; baseline: Percentiles };
  history: {
    install: HistoryFigures;
    baseline: HistoryFigures;
    eventsRatio: number;
    payloadBytesRatio: number;
  };
  awsCalls: { perInstall: number; byOperation: Record<string, number> };
  footprint: Footprint;
  /** How many lifecycles of each kind ended in each phase. */
  outcomes: Record<Kind, Record<string, number>>;
  /** What went wrong in the worker processes (the footprint worker's included): all zero on a sound run. */
  workers: {
    processes: number;
    workflowTaskFailures: number;
    activityFailures: number;
    unansweredAwsCalls: Record<string, number>;
    unexpectedExits: string[];
    samples: string[];
    logDir: string;
  };
}

function numbers(node: unknown, path: string): Array<[string, unknown]> {
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([key, value]) => numbers(value, path ? `${path}.${key}` : key));
  }
  return [[path, node]];
}

const figurePaths = ['throughput', 'verifyLatencyMs', 'history', 'awsCalls.perInstall', 'footprint'] as const;

/**
 * Why a run's figures cannot be trusted, if they cannot: a missing or non-finite figure, a lifecycle that did not
 * end deprovisioned, a workflow task or activity that failed, an AWS call the stubs do not answer, a worker that
 * died. Empty for a sound run. The benchmark exits non-zero on any; the smoke test asserts there are none.
 */
export function problemsOf(result: BenchResult): string[] {
  const problems: string[] = [];
  for (const path of figurePaths) {
    const node = path
      .split('.')
      .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], result);
    if (node === undefined) problems.push(`${path} is missing`);
    for (const [where, value] of numbers(node, path)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) problems.push(`${where} is ${String(value)}`);
    }
  }
  for (const kind of ['install', 'baseline'] as const) {
    const ended = Object.entries(result.outcomes[kind]).filter(([phase]) => phase !== 'deprovisioned');
    if (ended.length > 0) problems.push(`${kind} lifecycles ended ${JSON.stringify(Object.fromEntries(ended))}`);
  }
  const { workers } = result;
  if (workers.workflowTaskFailures > 0) problems.push(`${workers.workflowTaskFailures} workflow task failures`);
  if (workers.activityFailures > 0) problems.push(`${workers.activityFailures} activity failures`);
  if (Object.keys(workers.unansweredAwsCalls).length > 0) {
    problems.push(`AWS calls the zero-latency stubs do not answer: ${JSON.stringify(workers.unansweredAwsCalls)}`);
  }
  problems.push(...workers.unexpectedExits.map((exit) => `a worker process ${exit}`));
  if (problems.length > 0 && workers.samples.length > 0) {
    problems.push(`first failures: ${workers.samples.join(' | ')} (logs: ${workers.logDir})`);
  }
  return problems;
}

export function writeResults(file: string, results: BenchResult | BenchResult[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

export function readResults<T extends BenchResult | BenchResult[]>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
