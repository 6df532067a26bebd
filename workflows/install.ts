import { allHandlersFinished, condition, continueAsNew } from '@temporalio/workflow';
import { inWorker } from './activity-profiles';
import { watchWhileActive } from './active-watch';
import { awaitApproval } from './approval';
import { awaitVerifiedRole } from './await-role';
import type { InstallInput, InstallResult, InstallTimeouts } from './definitions';
import { checkInstallInput } from './input-check';
import { compensate, endInstall, failInstall, refuseInstall } from './install-endings';
import { setInstallHandlers } from './install-handlers';
import { InstallInbox } from './install-inbox';
import { recordTimeToActive } from './install-metrics';
import { InstallTracker } from './install-tracker';
import { newCallback } from './onboarding-callback';
import { DeprovisionRequested, provisionInstall } from './provisioning';
import { tearDownInstall } from './teardown';

export const defaultTimeouts: InstallTimeouts = {
  roleSubmission: '7 days',
  onboardingCallback: '24 hours',
  roleReminder: '1 day',
  rolePropagation: '2 minutes',
  sandboxStack: '30 minutes',
  runnerCheckIn: '1 hour',
};

/**
 * The life of one install, from "waiting for the customer's role" to "deprovisioned". Workflow id = install id.
 * Reads top to bottom as the onboarding story; each phase is a function of its own, and the messages it answers
 * are set up in install-handlers.ts.
 */
export async function installWorkflow(input: InstallInput): Promise<InstallResult> {
  const timeouts: InstallTimeouts = { ...defaultTimeouts, ...input.timeouts };
  const tracker = new InstallTracker(input);
  const inbox = new InstallInbox();
  setInstallHandlers(tracker, inbox, input, timeouts);

  if (!input.carriedOver) {
    // 0: settings out of bounds fail the install now, before anything is created (older installs replay without).
    const refused = tracker.patches.has('bounded-input') ? await checkInstallInput(tracker, input) : undefined;
    if (refused) return refuseInstall(tracker, refused);

    // 1-2: the customer creates the role from the kit (or its stack calls back); we verify it.
    const prepared = await tracker.step('prepare_onboarding', () =>
      inWorker(tracker, 'Create the External ID and onboarding kit').prepareOnboarding({ installId: input.installId }),
    );
    const { memberOf } = input;
    if (memberOf) {
      // A member of an organization install: its StackSet made the role, trusting the organization's External ID.
      tracker.recordOnboarding({ ...prepared, externalId: memberOf.externalId });
      inbox.submit(tracker.acceptRoleSubmission({ roleArn: memberOf.roleArn }), memberOf.roleArn);
    } else {
      tracker.recordOnboarding(prepared);
      // Installs that started before zero-paste onboarding replay without a callback.
      if (tracker.patches.has('onboarding-callback')) tracker.openCallback(newCallback(timeouts.onboardingCallback));
    }
    const onboarded = await awaitVerifiedRole(tracker, inbox, input, timeouts);
    if (onboarded === 'expired') return endInstall(tracker, 'expired');

    // Optionally, someone approves the plan before anything is created.
    let proceed = onboarded === 'verified';
    if (proceed && input.approval?.required) {
      const approval = await awaitApproval(
        tracker,
        input,
        tracker.accessRef()!,
        timeouts,
        () => inbox.approvalDecision,
        () => inbox.deprovisionRequested,
      ).catch((error: unknown) => failInstall(tracker, input, timeouts, error));
      if (approval === 'rejected' || approval === 'expired') {
        // Only the change set's empty stack exists: remove it, so a "no" leaves nothing behind.
        const leftovers = await compensate(tracker, input, timeouts);
        if (leftovers.length > 0) tracker.recordCompensation(new Date().toISOString(), leftovers);
        return endInstall(tracker, approval);
      }
      proceed = approval === 'approved';
    }

    // 3-5: sandbox, cost report, runner. A failure removes what was created, unless asked to keep it.
    if (proceed) {
      try {
        await provisionInstall(tracker, input, tracker.accessRef()!, timeouts, () => inbox.deprovisionRequested);
      } catch (error) {
        if (!(error instanceof DeprovisionRequested)) await failInstall(tracker, input, timeouts, error);
      }
    }
  }

  // 6: active until deprovisioning is asked for, continuing as new to keep history short.
  if (!inbox.deprovisionRequested) {
    // A run that continued as new while degraded stays degraded until a re-verification passes.
    if (tracker.phase !== 'degraded' && tracker.phase !== 'awaiting_permission_upgrade') tracker.enter('active');
    if (!input.carriedOver && tracker.phase === 'active') recordTimeToActive();
    await watchWhileActive(tracker, inbox, input, tracker.access()!);
    if (!inbox.deprovisionRequested) {
      await tracker.events.flushed();
      await condition(allHandlersFinished);
      return continueAsNew<typeof installWorkflow>({ ...input, carriedOver: tracker.carryOver() });
    }
  }

  // 7: remove everything, in reverse.
  tracker.enter('deprovisioning');
  tracker.startDeprovision(inbox.deprovisionRequest!);
  const leftovers = await tracker.step('teardown', () =>
    tearDownInstall(tracker, input, tracker.accessRef(), timeouts.sandboxStack),
  );
  tracker.finishDeprovision(leftovers);
  return endInstall(tracker, 'deprovisioned');
}
