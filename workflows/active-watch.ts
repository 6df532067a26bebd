import { condition, patched } from '@temporalio/workflow';
import type { CustomerAccess } from '../domain/customer-access';
import { parseDuration } from '../domain/durations';
import { nextSlotAfter } from '../domain/install-slots';
import { findDrift, installHistoryIsLong, reverifyWhileActive } from './active-checks';
import type { InstallInput } from './definitions';
import type { InstallInbox } from './install-inbox';
import { countVerificationFailure } from './install-metrics';
import type { InstallTracker } from './install-tracker';
import { anchorsPatch } from './patches';
import { permissionUpgradePoll } from './permission-upgrade';
import { advanceExternalIdRotation, nextRotationPollAt, rotationUnderWay } from './external-id-rotation';

/**
 * While active: re-verification on the install's slots (as reverifyWhileActive), now also of the role's permissions
 * at its version and of what newer versions add; a recheck request (POST /installs/:id/permissions/recheck) runs one
 * at once; an open upgrade request is re-checked every 15 minutes, 96 times (a day), then only by the other two.
 * Runs from before this release, and periods written before the API's duration grammar, keep the plain loop.
 */
export async function watchWhileActive(
  tracker: InstallTracker,
  inbox: InstallInbox,
  input: InstallInput,
  access: CustomerAccess,
): Promise<void> {
  const deprovisionRequested = () => inbox.deprovisionRequested;
  const periodMs = input.reverifyEvery === undefined ? undefined : parseDuration(input.reverifyEvery);
  if ((input.reverifyEvery !== undefined && periodMs === undefined) || !patched(anchorsPatch)) {
    return reverifyWhileActive(tracker, input, access, deprovisionRequested);
  }
  inbox.takesRechecks = true;
  const historyIsLong = () => installHistoryIsLong(input);
  let nextRegular: number | undefined;
  let lastSlot = 0;
  let nextPoll: number | undefined;
  // A recheck already asked for is served before the run continues as new: its update waits for the answer.
  while (!deprovisionRequested() && (!historyIsLong() || inbox.recheckPending)) {
    if (periodMs !== undefined && nextRegular === undefined) {
      // Never the same slot twice, even if the clock read after a check were behind the slot that started it.
      lastSlot = nextSlotAfter(input.installId, 'reverify', periodMs, Math.max(Date.now(), lastSlot));
      nextRegular = lastSlot;
    }
    const upgrade = tracker.status.permissions?.upgrade;
    if (!upgrade || upgrade.pollsLeft === 0) nextPoll = undefined;
    else nextPoll ??= Date.now() + permissionUpgradePoll.everyMs;
    // An External ID rotation under way (workflows/external-id-rotation.ts) is polled on its own period; one that
    // starts during the wait wakes it.
    const rotating = rotationUnderWay(tracker);
    const wakeAt = Math.min(
      nextRegular ?? Infinity,
      nextPoll ?? Infinity,
      rotating ? nextRotationPollAt(tracker) : Infinity,
    );
    const asked = () => deprovisionRequested() || inbox.recheckPending || rotationUnderWay(tracker) !== rotating;
    if (wakeAt === Infinity) await condition(asked);
    else await condition(asked, Math.max(1, wakeAt - Date.now()));
    if (deprovisionRequested()) return;
    if (rotationUnderWay(tracker) && Date.now() >= nextRotationPollAt(tracker)) {
      await advanceExternalIdRotation(tracker, tracker.access()!);
    }

    const regularDue = nextRegular !== undefined && Date.now() >= nextRegular;
    const pollDue = nextPoll !== undefined && Date.now() >= nextPoll;
    if (inbox.recheckPending || regularDue) {
      // A customer who went straight to the new ID alone would fail a check with the old one: try the new one first.
      if (tracker.status.externalIdRotation?.step === 'awaiting_trust_update') {
        await advanceExternalIdRotation(tracker, tracker.access()!);
      }
      inbox.startRecheck();
      // The access of now: a rotation may have switched the install to its new ID since the run began.
      const problem = await findDrift(tracker, input, tracker.access() ?? access, { permissions: true });
      if (problem) countVerificationFailure(problem.code, 'reverification');
      tracker.recordHealthCheck(problem);
      inbox.finishRecheck();
      if (regularDue) nextRegular = undefined;
    } else if (pollDue) {
      nextPoll = undefined;
      tracker.usePermissionPoll();
      const problem = await findDrift(tracker, input, tracker.access() ?? access, {
        permissions: true,
        only: 'permissions',
      });
      if (problem) {
        countVerificationFailure(problem.code, 'reverification');
        tracker.recordHealthCheck(problem);
      } else tracker.settlePermissionPhase();
    }
  }
  // From here the run ends or continues as new: a recheck would wait for a check that never comes.
  inbox.takesRechecks = false;
}
