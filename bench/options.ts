import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ServerChoice } from './servers';

/** How much one run drives; the same for every row of a matrix. */
export interface BenchSettings {
  /** Installs (and as many baseline runs) driven end to end. */
  installs: number;
  /** Interleaved rounds; the kind that goes first alternates. */
  rounds: number;
  /** Lifecycles in flight at once. */
  concurrency: number;
  /** Installs left waiting for their role, for the worker footprint. */
  waiting: number;
  /** Lifecycles of each kind before the measured rounds (JIT, caches, connections). */
  warmup: number;
  /** Worker processes on the run's task queue, serving both kinds. */
  workers: number;
  /** A lifecycle that has not ended by then fails the run, saying where it stopped. */
  lifecycleTimeoutMs: number;
}

export interface BenchCommand {
  matrix: boolean;
  server: ServerChoice;
  settings: BenchSettings;
  out: string;
}

export const resultsDir = join(__dirname, 'results');

export const defaultSettings: BenchSettings = {
  installs: 500,
  rounds: 4,
  concurrency: 20,
  waiting: 2000,
  warmup: 20,
  workers: 1,
  lifecycleTimeoutMs: 120_000,
};

function count(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min)
    throw new Error(`--${name} must be an integer ≥ ${min} (got ${value})`);
  return parsed;
}

/**
 * `npm run bench -- <options>`: see bench/README.md for the table.
 *
 * @example
 * parseBenchArgs(['--server', 'cluster', '--workers', '3']).server; // { kind: 'cluster' }
 */
export function parseBenchArgs(argv: string[]): BenchCommand {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      installs: { type: 'string' },
      rounds: { type: 'string' },
      concurrency: { type: 'string' },
      waiting: { type: 'string' },
      warmup: { type: 'string' },
      workers: { type: 'string' },
      'lifecycle-timeout': { type: 'string' },
      server: { type: 'string' },
      'temporal-address': { type: 'string' },
      namespace: { type: 'string' },
      matrix: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  const settings: BenchSettings = {
    installs: count('installs', values.installs, defaultSettings.installs, 1),
    rounds: count('rounds', values.rounds, defaultSettings.rounds, 1),
    concurrency: count('concurrency', values.concurrency, defaultSettings.concurrency, 1),
    waiting: count('waiting', values.waiting, defaultSettings.waiting, 1),
    warmup: count('warmup', values.warmup, defaultSettings.warmup, 0),
    workers: count('workers', values.workers, defaultSettings.workers, 1),
    lifecycleTimeoutMs: count('lifecycle-timeout', values['lifecycle-timeout'], 120, 1) * 1000,
  };
  if (values.matrix && (values.workers !== undefined || values.server !== undefined)) {
    throw new Error(
      '--matrix runs the dev server with 1 worker and the cluster (or --temporal-address) with 1, 2 and 3: ' +
        'drop --workers and --server',
    );
  }
  return {
    matrix: values.matrix,
    server: serverChoice(values),
    settings,
    out: values.out ?? join(resultsDir, values.matrix ? 'matrix-latest.json' : 'latest.json'),
  };
}

function serverChoice(values: { server?: string; 'temporal-address'?: string; namespace?: string }): ServerChoice {
  const address = values['temporal-address'];
  if (address !== undefined) {
    if (values.server !== undefined && values.server !== 'external') {
      throw new Error(
        `--temporal-address names a server already running; it cannot be combined with --server ${values.server}`,
      );
    }
    if (!/^[^:\s]+:\d+$/.test(address)) throw new Error(`--temporal-address must be host:port (got ${address})`);
    return { kind: 'external', address, namespace: values.namespace ?? 'default' };
  }
  if (values.namespace !== undefined) throw new Error('--namespace applies to --temporal-address only');
  switch (values.server ?? 'dev') {
    case 'dev':
      return { kind: 'dev' };
    case 'cluster':
      return { kind: 'cluster' };
    default:
      throw new Error(`--server is dev or cluster, or pass --temporal-address host:port (got ${values.server})`);
  }
}
