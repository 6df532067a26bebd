import { condition } from '@temporalio/workflow';
import { durationMs, maxRoleReminders } from '../domain/durations';
import { quick } from './activity-profiles';
import type { InstallError, InstallInput, InstallTimeouts } from './definitions';
import { describeFailure } from './failures';
import type { InstallInbox } from './install-inbox';
import type { InstallTracker } from './install-tracker';
import { callbackLapsed } from './onboarding-callback';
import { countVerificationFailure } from './install-metrics';
import { verifyRole } from './role-verification';

export type RoleWaitEnding = 'verified' | 'expired' | 'deprovision';

/**
 * Waits for the customer's role and verifies each ARN submitted, as often as they need to get it right, reminding
 * them while nothing arrives, until one verifies, the wait expires or deprovisioning is asked for. Whatever ends the
 * wait, no submitted ARN is left without an answer.
 */
export async function awaitVerifiedRole(
  tracker: InstallTracker,
  inbox: InstallInbox,
  input: InstallInput,
  timeouts: InstallTimeouts,
): Promise<RoleWaitEnding> {
  try {
    return await waitForRoleUntilVerified(tracker, inbox, input, timeouts);
  } finally {
    inbox.answerUnverified(() => ({
      verified: false,
      phase: tracker.phase,
      error: describeUnverified(inbox.deprovisionRequested),
    }));
  }
}

async function waitForRoleUntilVerified(
  tracker: InstallTracker,
  inbox: InstallInbox,
  input: InstallInput,
  timeouts: InstallTimeouts,
): Promise<RoleWaitEnding> {
  const { status } = tracker;
  const startedWaiting = Date.now();
  const expiresAt = startedWaiting + durationMs(timeouts.roleSubmission);
  const reminderEvery = durationMs(timeouts.roleReminder);
  for (;;) {
    tracker.enter('awaiting_role');
    while (!inbox.hasSubmission && !inbox.deprovisionRequested) {
      const remindAt =
        status.remindersSent < maxRoleReminders
          ? startedWaiting + reminderEvery * (status.remindersSent + 1)
          : Infinity;
      const callback = status.onboarding?.callback;
      const callbackEndsAt = callback?.state === 'open' ? Date.parse(callback.expiresAt) : Infinity;
      const wakeAt = Math.min(expiresAt, remindAt, callbackEndsAt);
      // At least 1 ms: a verification that outlasted the next reminder must not become a wait without end.
      const waitMs = Math.max(wakeAt - Date.now(), 1);
      const interrupted = () =>
        inbox.hasSubmission || inbox.deprovisionRequested || status.onboarding?.callback !== callback;
      if (await condition(interrupted, waitMs)) {
        if (inbox.hasSubmission || inbox.deprovisionRequested) break;
        continue; // onboarding was restarted: wait for the new callback's expiry instead
      }
      if (Date.now() >= expiresAt) return 'expired';
      if (callbackLapsed(callback)) {
        tracker.expireCallback(callback!);
        continue;
      }
      await quick('Remind the customer to create the role').sendRoleReminder({
        installId: input.installId,
        orgId: input.orgId,
        waitingSince: new Date(startedWaiting).toISOString(),
      });
      tracker.recordReminder();
    }
    if (inbox.deprovisionRequested) return 'deprovision';

    const submission = inbox.nextSubmission()!;
    tracker.enter('verifying_role');
    const access = {
      installId: input.installId,
      roleArn: submission.roleArn,
      externalId: status.onboarding!.externalId,
      region: input.region,
      ...(status.oidcSubject ? { oidc: { subject: status.oidcSubject } } : {}),
    };
    const error = await verifyRole(tracker, input, access, timeouts.rolePropagation);
    inbox.answer(submission.id, { verified: !error, phase: tracker.phase, error });
    if (!error) return 'verified';
    countVerificationFailure(error.code, 'onboarding');
  }
}

/** The answer to a submission the install stopped waiting for before verifying it. */
function describeUnverified(deprovisioning: boolean): InstallError {
  const failure = deprovisioning
    ? { code: 'deprovision_requested', message: 'Deprovisioning was requested before the role was verified.' }
    : { code: 'role_submission_closed', message: 'The install stopped taking role ARNs before verifying this one.' };
  return { ...describeFailure(failure, 'verify_role'), at: new Date().toISOString() };
}
