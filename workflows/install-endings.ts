import { allHandlersFinished, ApplicationFailure, CancellationScope, condition } from '@temporalio/workflow';
import type { InstallError, InstallInput, InstallPhase, InstallResult, InstallTimeouts, Leftover } from './definitions';
import { summarizeFailure } from './failures';
import type { InstallTracker } from './install-tracker';
import { tearDownInstall } from './teardown';

/** Enters a final phase and returns the install's result once every message handler has answered. */
export async function endInstall(tracker: InstallTracker, phase: InstallPhase): Promise<InstallResult> {
  tracker.enter(phase);
  // Handed over, not delivered: the delivery workflow outlives the install (workflows/webhook-delivery.ts).
  await tracker.events.flushed();
  await condition(allHandlersFinished);
  return tracker.result();
}

/** Removes what the install created so far; cancellation of the workflow does not stop it halfway. */
export function compensate(
  tracker: InstallTracker,
  input: InstallInput,
  timeouts: InstallTimeouts,
): Promise<Leftover[]> {
  return CancellationScope.nonCancellable(() =>
    tearDownInstall(tracker, input, tracker.accessRef(), timeouts.sandboxStack),
  );
}

/**
 * Records why the install failed, removes what it created (unless asked to keep it for debugging), and fails the
 * workflow with the catalog code as the failure type and the small result as its details.
 */
export async function failInstall(
  tracker: InstallTracker,
  input: InstallInput,
  timeouts: InstallTimeouts,
  error: unknown,
): Promise<never> {
  const failedPhase = tracker.phase;
  const failure = tracker.recordError(summarizeFailure(error), tracker.lastFailedStep());
  tracker.events.emit('install.failed', { error: failure });
  if (!input.keepResourcesOnFailure) tracker.recordCompensation(failure.at, await compensate(tracker, input, timeouts));
  const result = await endInstall(tracker, 'failed');
  throw ApplicationFailure.nonRetryable(
    `Install failed while ${failedPhase}: ${failure.message}`,
    failure.code,
    result,
  );
}

/** Fails an install whose settings were refused at start: nothing exists to remove. */
export async function refuseInstall(tracker: InstallTracker, refusal: InstallError): Promise<never> {
  tracker.events.emit('install.failed', { error: refusal });
  const result = await endInstall(tracker, 'failed');
  throw ApplicationFailure.nonRetryable(`Install refused: ${refusal.message}`, refusal.code, result);
}
