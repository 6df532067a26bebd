import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { projectRoot } from './paths';
import { lastLines } from './run-command';

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  logFile: string;
  /** Detached services outlive this process (`npm run stack -- up`); attached ones die with it (tests). */
  detached: boolean;
  isReady: () => Promise<boolean>;
  readyTimeoutMs: number;
  /** Run as this user and group (PostgreSQL refuses to run as root); needs root. */
  uid?: number;
  gid?: number;
}

export class ServiceStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceStartError';
  }
}

function logTail(logFile: string): string {
  try {
    return lastLines(readFileSync(logFile, 'utf8'), 20);
  } catch {
    return '(no log output)';
  }
}

/** Starts a server process and resolves once `isReady` says so; fails with the log's tail if it dies or hangs. */
export async function startService(spec: ServiceSpec): Promise<ChildProcess> {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const logFd = openSync(spec.logFile, 'a');
  const child = spawn(spec.command, spec.args, {
    cwd: projectRoot,
    env: spec.env ?? process.env,
    stdio: ['ignore', logFd, logFd],
    detached: spec.detached,
    uid: spec.uid,
    gid: spec.gid,
  });
  closeSync(logFd);
  if (spec.detached) child.unref();
  else if (child.pid) reapWhenParentDies(child.pid);

  let exited: string | undefined;
  let spawnError: Error | undefined;
  child.once('exit', (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`));
  child.once('error', (error) => (spawnError = error));

  const deadline = Date.now() + spec.readyTimeoutMs;
  while (Date.now() < deadline) {
    if (spawnError)
      throw new ServiceStartError(`${spec.name} could not be started (${spec.command}): ${spawnError.message}`);
    if (exited) {
      throw new ServiceStartError(
        `${spec.name} ${exited} before it was ready. Log ${spec.logFile}:\n${logTail(spec.logFile)}`,
      );
    }
    if (await spec.isReady().catch(() => false)) return child;
    await delay(100);
  }
  stopProcess(child.pid, spec.detached);
  throw new ServiceStartError(
    `${spec.name} was not ready within ${spec.readyTimeoutMs / 1000}s. Log ${spec.logFile}:\n${logTail(spec.logFile)}`,
  );
}

/**
 * An attached service must not outlive this process even when it is SIGKILLed (a jest worker killed at its timeout
 * left a whole Temporal cluster running): a watcher of a few hundred kilobytes, outside this process, stops the
 * service once this process is gone, and exits by itself once the service is. Node has no parent-death signal.
 */
function reapWhenParentDies(childPid: number): void {
  const watch = [
    'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done',
    'kill -0 "$2" 2>/dev/null || exit 0',
    'kill -TERM "$2" 2>/dev/null; sleep 5; kill -KILL "$2" 2>/dev/null; exit 0',
  ].join('\n');
  spawn('sh', ['-c', watch, 'reaper', String(process.pid), String(childPid)], {
    stdio: 'ignore',
    detached: true,
  }).unref();
}

/** True while the process exists and is not a zombie (a container's init may never reap an orphan). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // The state follows the parenthesised command name: "123 (postgres) Z ...".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return true;
  }
}

/** Resolves true once the process is gone, false if it is still there at the deadline. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await delay(50);
  }
  return true;
}

/** SIGTERM, then SIGKILL if the process (group, for detached services) is still there after the grace period. */
export async function stopProcessAndWait(pid: number | undefined, group: boolean, graceMs = 10_000): Promise<void> {
  if (!pid || !isAlive(pid)) return;
  stopProcess(pid, group);
  if (!(await waitForExit(pid, graceMs))) stopProcess(pid, group, 'SIGKILL');
}

export function stopProcess(pid: number | undefined, group: boolean, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (!pid) return;
  try {
    process.kill(group ? -pid : pid, signal);
  } catch {
    // Already gone.
  }
}

export async function httpAnswers(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  return response.status < 500;
}
