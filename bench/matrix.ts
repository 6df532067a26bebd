import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleBenchWorkflows, runBench } from './bench';
import type { BenchSettings } from './options';
import type { BenchResult } from './result';
import { startBenchServer, type ServerChoice } from './servers';

/** The rows of `--matrix`: the dev server with one worker, the cluster with one, two and three. */
export const matrixRows = [
  { server: 'dev', workers: 1 },
  { server: 'cluster', workers: 1 },
  { server: 'cluster', workers: 2 },
  { server: 'cluster', workers: 3 },
] as const;

/**
 * Every row of the matrix, each a whole run against its own baseline. Each server is started once for its rows;
 * `cluster` is the one `--temporal-address` names when given, else the cluster of devstack/cluster.
 */
export async function runMatrix(options: {
  settings: BenchSettings;
  cluster: ServerChoice;
  log: (line: string) => void;
  /** Called with each row as it is measured, so a long matrix shows its progress. */
  onRow?: (result: BenchResult) => void;
}): Promise<BenchResult[]> {
  const { log } = options;
  const bundlePath = await bundleBenchWorkflows(mkdtempSync(join(tmpdir(), 'bench-matrix-')));
  const results: BenchResult[] = [];
  for (const serverKind of ['dev', 'cluster'] as const) {
    // The cluster rows run on a cluster: the one --temporal-address names, else a fresh one (never the dev server,
    // which is what --server says when nothing was given).
    const clusterChoice: ServerChoice = options.cluster.kind === 'external' ? options.cluster : { kind: 'cluster' };
    const choice: ServerChoice = serverKind === 'dev' ? { kind: 'dev' } : clusterChoice;
    const server = await startBenchServer(choice, { log });
    try {
      for (const row of matrixRows.filter((candidate) => candidate.server === serverKind)) {
        const result = await runBench({
          server,
          settings: { ...options.settings, workers: row.workers },
          log,
          bundlePath,
        });
        results.push(result);
        options.onRow?.(result);
      }
    } finally {
      await server.stop();
    }
  }
  return results;
}
