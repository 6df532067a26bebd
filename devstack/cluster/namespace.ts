import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { setTimeout as delay } from 'node:timers/promises';
import { installSearchAttributes } from '../../workflows/search-attributes';

const { IndexedValueType } = temporal.api.enums.v1;
/** gRPC's ALREADY_EXISTS: a kept `.stack/` cluster has the namespace from its first start. */
const alreadyExists = 6;

/**
 * Registers the namespace (a day's retention, as the dev server does) and the search attributes the workflows upsert,
 * through the frontend's workflow and operator services: what `temporal operator namespace create` and
 * `temporal operator search-attribute create` do. Retried until `deadline`, since a frontend that has just started
 * may still be joining the cluster.
 */
export async function registerNamespace(address: string, namespace: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService
          .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') })
          .catch((error: { code?: number }) => {
            if (error.code !== alreadyExists) throw error;
          });
        const registered = await listedSearchAttributes(connection, namespace);
        const missing = installSearchAttributes.filter((key) => !registered.has(key.name));
        if (missing.length > 0) {
          await connection.operatorService.addSearchAttributes({
            namespace,
            searchAttributes: Object.fromEntries(
              missing.map((key) => [key.name, IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]),
            ),
          });
        }
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await delay(250);
    }
  }
  throw new Error(
    `Registering namespace ${namespace} and its search attributes on ${address} failed: ${String(lastError)}`,
  );
}

async function listedSearchAttributes(connection: Connection, namespace: string): Promise<Set<string>> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  return new Set(Object.keys(response.customAttributes ?? {}));
}

/**
 * The cluster is ready for the orchestrator: the frontend serves the workflow API, the namespace can be described,
 * and every search attribute the workflows upsert is listed for it.
 */
export async function clusterServesNamespace(address: string, namespace: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    const health = await connection.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' });
    if (health.status !== 1) return false; // SERVING
    await connection.workflowService.describeNamespace({ namespace });
    const registered = await listedSearchAttributes(connection, namespace);
    return installSearchAttributes.every((key) => registered.has(key.name));
  } finally {
    await connection.close();
  }
}
