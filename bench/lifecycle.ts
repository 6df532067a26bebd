import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { deriveRunnerToken, sha256Hex } from '../security/runner-token';
import { terminalPhases, type InstallInput, type InstallStatus } from '../workflows/definitions';
import type { LifecycleShape } from './install-shape';
import { benchAccountId, benchRoleArn } from './zero-latency-aws';

export type Kind = 'install' | 'baseline';

export interface LifecycleRun {
  kind: Kind;
  workflowId: string;
  verifyLatencyMs: number;
  /** The phase the workflow returned: `deprovisioned` on the happy path. */
  finalPhase: string;
}

export interface Driver {
  client: Client;
  taskQueue: string;
  runnerTokenKey: Uint8Array;
  lifecycleTimeoutMs: number;
  /** The install's shape, which the baseline copies; measured from a warm-up install before any baseline runs. */
  baselineShape?: LifecycleShape;
}

export function installInput(workflowId: string): InstallInput {
  return { installId: workflowId, orgId: 'bench', awsAccountId: benchAccountId, region: 'us-east-1' };
}

async function pollStatus<T>(handle: WorkflowHandle, signal: AbortSignal, ready: (status: T) => boolean): Promise<T> {
  for (;;) {
    const status = (await handle.query('getStatus')) as T;
    if (ready(status)) return status;
    if (signal.aborted) throw signal.reason;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function requireShape(driver: Driver): LifecycleShape {
  if (!driver.baselineShape) throw new Error('the baseline runs only once the shape of an install has been measured');
  return driver.baselineShape;
}

/**
 * One whole lifecycle, driven the same way for both kinds: start, submit the role ARN (the update answers once
 * the role is verified), wait for the hand-off, check in, deprovision, await the result. Fails, saying where the
 * lifecycle stood, if it has not ended within the driver's timeout: a run never hangs on a stuck workflow.
 */
export async function driveLifecycle(driver: Driver, kind: Kind, label: string): Promise<LifecycleRun> {
  const workflowId = `${kind}-${label}-${randomBytes(3).toString('hex')}`;
  const signal = AbortSignal.timeout(driver.lifecycleTimeoutMs);
  // Every call of the lifecycle listens to it (the status polls too): many listeners, one lifecycle.
  setMaxListeners(10_000, signal);
  let stage = 'start';
  try {
    return await driver.client.withAbortSignal(signal, async () => {
      const handle = await driver.client.workflow.start(kind === 'install' ? 'installWorkflow' : 'baselineWorkflow', {
        workflowId,
        taskQueue: driver.taskQueue,
        args: kind === 'install' ? [installInput(workflowId)] : [requireShape(driver)],
      });
      stage = 'submit the role ARN';
      const submitted = performance.now();
      await handle.executeUpdate('submitRoleArn', { args: [{ roleArn: benchRoleArn(workflowId) }] });
      const verifyLatencyMs = performance.now() - submitted;
      stage = 'wait for the hand-off';
      let checkIn: unknown = {};
      if (kind === 'install') {
        const status = await pollStatus<InstallStatus>(
          handle,
          signal,
          (s) => (s.phase === 'handing_off' && s.runner !== undefined) || terminalPhases.includes(s.phase),
        );
        if (status.phase !== 'handing_off') {
          throw new Error(`install ended ${status.phase} before the hand-off: ${JSON.stringify(status.lastError)}`);
        }
        const registrationId = status.runner!.registrationId;
        const token = deriveRunnerToken(driver.runnerTokenKey, workflowId, registrationId);
        checkIn = { registrationId, tokenSha256: sha256Hex(token), runnerId: 'bench-runner' };
      } else {
        await pollStatus<{ ready: boolean }>(handle, signal, (s) => s.ready);
      }
      stage = 'check in';
      await handle.executeUpdate('runnerCheckIn', { args: [checkIn] });
      stage = 'deprovision';
      await handle.executeUpdate('requestDeprovision', { args: [{}] });
      stage = 'await the result';
      const result = (await handle.result()) as { phase: string };
      return { kind, workflowId, verifyLatencyMs, finalPhase: result.phase };
    });
  } catch (error) {
    const why = signal.aborted ? `did not end within ${driver.lifecycleTimeoutMs / 1000} s` : String(error);
    throw new Error(`${kind} ${workflowId} stopped at "${stage}": ${why}`, { cause: error });
  }
}

/** `count` lifecycles of one kind, `concurrency` at a time; the first failure ends the batch. */
export async function driveBatch(
  driver: Driver,
  kind: Kind,
  count: number,
  concurrency: number,
  label: string,
): Promise<{ runs: LifecycleRun[]; seconds: number }> {
  const started = performance.now();
  const runs: LifecycleRun[] = [];
  let next = 0;
  let failed = false;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count && !failed) {
        try {
          runs.push(await driveLifecycle(driver, kind, `${label}-${next++}`));
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
  return { runs, seconds: (performance.now() - started) / 1000 };
}

export type Totals = Record<Kind, { runs: LifecycleRun[]; seconds: number }>;

/**
 * The measured part: `rounds` rounds, each a batch of installs and a batch of baseline runs of `installs / rounds`
 * each. Which kind goes first alternates, so neither always meets a warmer or busier server.
 */
export async function driveRounds(
  driver: Driver,
  settings: { installs: number; rounds: number; concurrency: number },
  log: (line: string) => void,
): Promise<Totals> {
  const totals: Totals = { install: { runs: [], seconds: 0 }, baseline: { runs: [], seconds: 0 } };
  const perRound = Math.ceil(settings.installs / settings.rounds);
  for (let round = 0; round < settings.rounds; round++) {
    const order: Kind[] = round % 2 === 0 ? ['baseline', 'install'] : ['install', 'baseline'];
    for (const kind of order) {
      const batch = await driveBatch(driver, kind, perRound, settings.concurrency, String(round));
      totals[kind].runs.push(...batch.runs);
      totals[kind].seconds += batch.seconds;
      log(`  round ${round + 1}/${settings.rounds} ${kind}: ${batch.runs.length} in ${batch.seconds.toFixed(1)} s`);
    }
  }
  return totals;
}
