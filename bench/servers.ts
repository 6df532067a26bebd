import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTemporalCluster } from '../devstack/cluster';
import { ensureTemporalCli } from '../devstack/tools';
import { installSearchAttributes } from '../workflows/search-attributes';

/** Which Temporal the benchmark runs on (`--server`, `--temporal-address`). */
export type ServerChoice =
  { kind: 'dev' } | { kind: 'cluster' } | { kind: 'external'; address: string; namespace: string };

export interface BenchServer {
  kind: ServerChoice['kind'];
  address: string;
  namespace: string;
  /** Stops what the benchmark started; an external server is left as it was found. */
  stop(): Promise<void>;
}

/**
 * Every search attribute the workflows upsert must be registered, with its type, before any install starts: an
 * install that upserts an unknown one fails its workflow task, over and over. Checked on every server, loudly.
 */
export async function requireSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const wrong = installSearchAttributes.flatMap((key) => {
      const expected = temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`];
      const found = customAttributes?.[key.name];
      if (found === expected) return [];
      const foundName = found === undefined ? 'missing' : temporal.api.enums.v1.IndexedValueType[found];
      return [`${key.name} (${key.type}): ${foundName}`];
    });
    if (wrong.length > 0) {
      throw new Error(
        `The Temporal server at ${address} (namespace ${namespace}) lacks the install's search attributes: ` +
          `${wrong.join('; ')}. Register them (the project's stack does: npm run stack -- up) before benchmarking.`,
      );
    }
  } finally {
    await connection.close();
  }
}

async function startDevServer(log: (line: string) => void): Promise<BenchServer> {
  const temporalCli = await ensureTemporalCli(log);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCli },
      ip: '127.0.0.1',
      searchAttributes: [...installSearchAttributes],
    },
  });
  return { kind: 'dev', address: env.address, namespace: env.namespace ?? 'default', stop: () => env.teardown() };
}

/** A fresh multi-process cluster on PostgreSQL (devstack/cluster) in a folder of its own, removed when it stops. */
async function startCluster(log: (line: string) => void): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
  const cluster = await startTemporalCluster({ dir, namespace: 'default', detached: false, log });
  return {
    kind: 'cluster',
    address: cluster.frontendAddress,
    namespace: 'default',
    stop: async () => {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The server a run measures: a fresh dev server, a fresh cluster, or one already running that is left running.
 *
 * @example
 * const server = await startBenchServer({ kind: 'external', address: '127.0.0.1:7233', namespace: 'default' });
 * try { ... } finally { await server.stop(); }
 */
export async function startBenchServer(
  choice: ServerChoice,
  options: { log: (line: string) => void },
): Promise<BenchServer> {
  const server =
    choice.kind === 'dev'
      ? await startDevServer(options.log)
      : choice.kind === 'cluster'
        ? await startCluster(options.log)
        : { ...choice, stop: () => Promise.resolve() };
  try {
    await requireSearchAttributes(server.address, server.namespace);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
