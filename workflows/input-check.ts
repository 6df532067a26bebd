import { invalidInstallInput } from '../domain/cost-report-names';
import { checkInstallBounds } from '../domain/durations';
import { inWorker } from './activity-profiles';
import type { InstallError, InstallInput } from './definitions';
import type { InstallTracker } from './install-tracker';

/**
 * The API refuses settings out of bounds and names that are not one literal place, but a workflow can also be started straight through Temporal: checked
 * again here, before anything is created, against the limits the worker's deployment sets. An install refused
 * here fails at once with every problem listed, instead of failing its workflow tasks forever on a date overflow.
 */
export async function checkInstallInput(
  tracker: InstallTracker,
  input: InstallInput,
): Promise<InstallError | undefined> {
  const { durationFloor, subscribedEventTypes } = await tracker.step('check_input', () =>
    inWorker(tracker, "Read the deployment's limits on install settings").readInputLimits(),
  );
  // Runs recorded before the limits carried them learn the subscriptions from their first hand-over instead.
  if (subscribedEventTypes) tracker.events.learnSubscriptions(subscribedEventTypes);
  const badName = invalidInstallInput(input);
  const problems = [
    ...checkInstallBounds(input, durationFloor).map((problem) => `${problem.path} ${problem.message}`),
    ...(badName ? [badName] : []),
  ];
  if (problems.length === 0) return undefined;
  tracker.markStep('check_input', 'failed', `${problems.length} setting(s) refused`);
  return tracker.recordError({ code: 'invalid_install_input', message: problems.join('; ') }, 'check_input');
}
