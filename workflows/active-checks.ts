import { condition, workflowInfo } from '@temporalio/workflow';
import type { CustomerAccess } from '../activities/aws/customer-session';
import { fixFor } from '../domain/error-catalog';
import { quick } from './activity-profiles';
import type { InstallInput } from './definitions';
import { summarizeFailure } from './failures';
import type { InstallTracker } from './install-tracker';

/**
 * While active, the workflow waits for deprovisioning and, if asked to, re-checks the role on a schedule (the
 * customer may edit or delete it), moving between active and degraded with the result. Returns when deprovisioning is requested or history is long enough that the
 * workflow should continue as new.
 */
export async function reverifyWhileActive(
  tracker: InstallTracker,
  input: InstallInput,
  access: CustomerAccess,
  deprovisionRequested: () => boolean,
): Promise<void> {
  const role = tracker.status.role!;
  const historyIsLong = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= (input.historyEventLimit ?? 10_000);
  while (!deprovisionRequested() && !historyIsLong()) {
    if (input.reverifyEvery === undefined) {
      await condition(deprovisionRequested);
      return;
    }
    if (await condition(deprovisionRequested, input.reverifyEvery)) return;
    try {
      await quick('Re-verify: AssumeRole with the External ID').verifyRoleAccess({ access });
      const probe = await quick(
        'Re-verify: AssumeRole without the External ID must be refused',
      ).probeRoleWithoutExternalId({ access });
      role.withoutExternalId = probe.withoutExternalId;
      role.drift =
        probe.withoutExternalId === 'allowed'
          ? {
              code: 'external_id_not_enforced',
              message: 'The role no longer requires the External ID.',
              fix: fixFor('external_id_not_enforced'),
              at: new Date().toISOString(),
            }
          : undefined;
    } catch (error) {
      const failure = summarizeFailure(error);
      role.drift = { ...failure, fix: fixFor(failure.code), at: new Date().toISOString() };
    }
    role.lastVerifiedAt = new Date().toISOString();
    // A check that fails after the install was healthy degrades it; the next one that passes restores it.
    tracker.enter(role.drift ? 'degraded' : 'active');
  }
}
