import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { startService } from '../service-process';
import { temporalRole, type ClusterServiceName } from './server-config';

/** The names each role reports its gRPC health under (handler.go of service/history and service/matching); the worker role serves no gRPC. */
const healthServiceNames = {
  frontend: 'temporal.api.workflowservice.v1.WorkflowService',
  matching: 'temporal.api.workflowservice.v1.MatchingService',
  history: 'temporal.api.workflowservice.v1.HistoryService',
} as const;

/** What the worker role logs once its system workers run (service/worker/service.go). */
const workerStartedLine = '"worker service started"';

export interface TemporalServiceSpec {
  service: ClusterServiceName;
  /** The server binary of the build. */
  server: string;
  /** Holds `<service>.yaml`, the process's whole configuration. */
  configDir: string;
  grpcAddress: string;
  logFile: string;
  detached: boolean;
  readyTimeoutMs?: number;
}

/**
 * Starts one Temporal service as its own process and resolves once it is ready: the frontend serves the workflow
 * API, matching serves, a history host serves (which it says only once it owns its first shards), the worker role
 * has logged that its system workers started.
 */
export function startTemporalService(spec: TemporalServiceSpec): Promise<ChildProcess> {
  const role = temporalRole(spec.service);
  // The log is appended to across restarts: readiness looks only at what this start wrote.
  const logOffset = existsSync(spec.logFile) ? statSync(spec.logFile).size : 0;
  return startService({
    name: `Temporal ${spec.service}`,
    command: spec.server,
    args: [
      '--root',
      spec.configDir,
      '--config',
      '.',
      '--env',
      spec.service,
      '--allow-no-auth',
      'start',
      '--service',
      role,
    ],
    logFile: spec.logFile,
    detached: spec.detached,
    isReady: () =>
      role === 'worker'
        ? Promise.resolve(logSince(spec.logFile, logOffset).includes(workerStartedLine))
        : grpcServing(spec.grpcAddress, healthServiceNames[role]),
    readyTimeoutMs: spec.readyTimeoutMs ?? 90_000,
  });
}

function logSince(logFile: string, offset: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(logFile, 'r');
    const buffer = Buffer.alloc(Math.max(0, fstatSync(fd).size - offset));
    readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The standard gRPC health check for one service name. A lazy connection, since the SDK's eager one asks the
 * workflow API for system info, which only the frontend has.
 */
export async function grpcServing(address: string, service: string): Promise<boolean> {
  const connection = Connection.lazy({ address, connectTimeout: 1_000 });
  try {
    const response = await connection.withDeadline(Date.now() + 1_000, () =>
      connection.healthService.check({ service }),
    );
    return response.status === 1; // SERVING
  } finally {
    await connection.close();
  }
}
