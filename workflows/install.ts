import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  patched,
  setHandler,
} from '@temporalio/workflow';
import type { CustomerAccess } from '../domain/customer-access';
import { checkRoleArnForInstall, partitionOfRegion } from '../domain/arn';
import { durationMs, maxRoleReminders } from '../domain/durations';
import { quick } from './activity-profiles';
import {
  decideApprovalUpdate,
  deprovisionSignal,
  firstReportNewsSignal,
  getStatusQuery,
  requestDeprovisionUpdate,
  restartOnboardingUpdate,
  roleArnSubmittedSignal,
  runnerCheckInUpdate,
  submitRoleArnUpdate,
  terminalPhases,
  type ApprovalDecision,
  type DeprovisionRequest,
  type InstallError,
  type InstallInput,
  type InstallStatus,
  type InstallTimeouts,
  type RoleArnSubmission,
  type VerificationOutcome,
} from './definitions';
import { describeFailure, summarizeFailure } from './failures';
import { checkInstallInput } from './input-check';
import { InstallTracker } from './install-tracker';
import { reverifyWhileActive } from './active-checks';
import { awaitApproval } from './approval';
import { recordFirstReportNews } from './first-report-news';
import { callbackLapsed, openCallback, rejectCallbackSubmission, markCallbackUsed } from './onboarding-callback';
import { DeprovisionRequested, provisionInstall } from './provisioning';
import { verifyRole } from './role-verification';
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
 * Reads top to bottom as the onboarding story; each phase is a function of its own.
 */
export async function installWorkflow(input: InstallInput): Promise<InstallStatus> {
  const timeouts: InstallTimeouts = { ...defaultTimeouts, ...input.timeouts };
  const tracker = new InstallTracker(input);
  const { status } = tracker;
  const expected = { accountId: input.awsAccountId, partition: partitionOfRegion(input.region) };

  let pendingSubmission: { id: number; roleArn: string } | undefined;
  const outcomes = new Map<number, VerificationOutcome>();
  let deprovisionRequestedAt: string | undefined;
  let deprovisionRequestedBy: string | undefined;
  let approvalDecision: ApprovalDecision | undefined;
  const deprovisionRequested = () => deprovisionRequestedAt !== undefined;

  const rejectSubmission = ({ roleArn, callback }: RoleArnSubmission) => {
    if (callback) rejectCallbackSubmission(status.onboarding?.callback, callback);
    if (status.phase !== 'awaiting_role' || pendingSubmission) {
      throw ApplicationFailure.nonRetryable(
        `A role ARN can be submitted only while awaiting the role; the install is ${status.phase}.`,
        'WrongPhase',
      );
    }
    const check = checkRoleArnForInstall(roleArn, expected);
    if (!check.ok) throw ApplicationFailure.nonRetryable(check.problem.message, 'InvalidRoleArn', check.problem.code);
  };
  const acceptSubmission = ({ roleArn, callback }: RoleArnSubmission) => {
    if (callback) markCallbackUsed(status.onboarding!.callback!, callback);
    status.roleSubmissions += 1;
    pendingSubmission = { id: status.roleSubmissions, roleArn: roleArn.trim() };
    return pendingSubmission.id;
  };

  setHandler(getStatusQuery, () => status);
  setHandler(firstReportNewsSignal, (news) => recordFirstReportNews(tracker, news));
  setHandler(roleArnSubmittedSignal, (submission) => {
    try {
      rejectSubmission(submission);
      acceptSubmission(submission);
    } catch (error) {
      tracker.recordError(summarizeFailure(error), 'receive_role');
    }
  });
  setHandler(
    submitRoleArnUpdate,
    async (submission) => {
      const id = acceptSubmission(submission);
      // Answered once the install has moved on, with the phase it moved to (awaiting_approval, provisioning_sandbox,
      // back to awaiting_role, deprovisioning): the caller learns what happens next, not what we guessed. Updates
      // answered before this change replay as they were, at the outcome.
      if (!patched('role-outcome-after-phase')) {
        await condition(() => outcomes.has(id));
        return outcomes.get(id)!;
      }
      await condition(() => outcomes.has(id) && status.phase !== 'verifying_role');
      return { ...outcomes.get(id)!, phase: status.phase };
    },
    { validator: rejectSubmission },
  );
  setHandler(
    restartOnboardingUpdate,
    () => {
      status.onboarding!.callback = openCallback(timeouts.onboardingCallback);
      return status.onboarding!.callback;
    },
    {
      validator: () => {
        if (status.phase !== 'awaiting_role' || !status.onboarding?.callback) {
          throw ApplicationFailure.nonRetryable(`Onboarding cannot be restarted while ${status.phase}.`, 'WrongPhase');
        }
      },
    },
  );
  setHandler(
    runnerCheckInUpdate,
    (checkIn) => {
      status.runner = { ...status.runner!, runnerId: checkIn.runnerId, checkedInAt: new Date().toISOString() };
      return { accepted: true as const, phase: status.phase };
    },
    {
      validator: (checkIn) => {
        const runner = status.runner;
        if (status.phase !== 'handing_off' || !runner) {
          throw ApplicationFailure.nonRetryable(`No runner check-in is expected while ${status.phase}.`, 'WrongPhase');
        }
        if (runner.checkedInAt)
          throw ApplicationFailure.nonRetryable('This registration was already used.', 'RegistrationUsed');
        if (checkIn.registrationId !== runner.registrationId || checkIn.tokenSha256 !== runner.tokenSha256) {
          throw ApplicationFailure.nonRetryable(
            'The registration token is not valid for this install.',
            'InvalidRunnerToken',
          );
        }
        if (Date.now() > Date.parse(runner.expiresAt)) {
          throw ApplicationFailure.nonRetryable('The registration token has expired.', 'RegistrationExpired');
        }
      },
    },
  );
  setHandler(
    decideApprovalUpdate,
    (decision) => {
      approvalDecision = decision;
      return { phase: status.phase };
    },
    {
      validator: (_decision) => {
        if (status.phase !== 'awaiting_approval' || approvalDecision) {
          throw ApplicationFailure.nonRetryable(`No approval is pending while ${status.phase}.`, 'WrongPhase');
        }
      },
    },
  );
  const acceptDeprovision = (request: DeprovisionRequest) => {
    if (!deprovisionRequested()) deprovisionRequestedBy = request.requestedBy;
    deprovisionRequestedAt ??= new Date().toISOString();
  };
  setHandler(deprovisionSignal, acceptDeprovision);
  setHandler(
    requestDeprovisionUpdate,
    (request) => {
      acceptDeprovision(request);
      return { phase: status.phase };
    },
    {
      validator: (_request) => {
        if (deprovisionRequested() || terminalPhases.includes(status.phase) || status.phase === 'deprovisioning') {
          throw ApplicationFailure.nonRetryable(`The install is already ${status.phase}.`, 'AlreadyDeprovisioning');
        }
      },
    },
  );

  const access = (): CustomerAccess | undefined =>
    status.role?.verifiedAt && status.onboarding
      ? {
          installId: input.installId,
          roleArn: status.role.arn,
          externalId: status.onboarding.externalId,
          region: input.region,
        }
      : undefined;

  if (!input.carriedOver) {
    // 0: settings out of bounds fail the install now, before anything is created (installs older than the check
    // replay without it).
    const refused = patched('bounded-input') ? await checkInstallInput(tracker, input) : undefined;
    if (refused) {
      tracker.enter('failed');
      await condition(allHandlersFinished);
      throw ApplicationFailure.nonRetryable(`Install refused: ${refused.message}`, refused.code);
    }

    // 1-2: the customer creates the role; we verify it, as often as they need to get it right.
    status.onboarding = await tracker.step('prepare_onboarding', () =>
      quick('Create the External ID and onboarding kit').prepareOnboarding({ installId: input.installId }),
    );
    // Installs that started before zero-paste onboarding replay without a callback.
    if (patched('onboarding-callback')) status.onboarding.callback = openCallback(timeouts.onboardingCallback);
    const onboarded = await awaitVerifiedRole();
    if (onboarded === 'expired') {
      tracker.enter('expired');
      return status;
    }

    // Optionally, someone approves the plan before anything is created.
    let proceed = onboarded === 'verified';
    if (proceed && input.approval?.required) {
      const approval = await awaitApproval(
        tracker,
        input,
        access()!,
        timeouts,
        () => approvalDecision,
        deprovisionRequested,
      ).catch((error: unknown) => failInstall(error));
      if (approval === 'rejected' || approval === 'expired') {
        // Only the change set's empty stack exists: remove it, so a "no" leaves nothing behind.
        const leftovers = await CancellationScope.nonCancellable(() =>
          tearDownInstall(tracker, input, access(), timeouts.sandboxStack),
        );
        if (leftovers.length > 0) {
          const at = new Date().toISOString();
          status.deprovision = { requestedAt: at, finishedAt: at, leftovers };
        }
        tracker.enter(approval);
        await condition(allHandlersFinished);
        return status;
      }
      proceed = approval === 'approved';
    }

    // 3-5: sandbox, cost report, runner. A failure removes what was created, unless asked to keep it.
    if (proceed) {
      try {
        await provisionInstall(tracker, input, access()!, timeouts, deprovisionRequested);
      } catch (error) {
        if (!(error instanceof DeprovisionRequested)) await failInstall(error);
      }
    }
  }

  // 6: active until deprovisioning is asked for.
  if (!deprovisionRequested()) {
    // A run that continued as new while degraded stays degraded until a re-verification passes.
    if (status.phase !== 'degraded') tracker.enter('active');
    await reverifyWhileActive(tracker, input, access()!, deprovisionRequested);
    if (!deprovisionRequested()) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof installWorkflow>({ ...input, carriedOver: status });
    }
  }

  // 7: remove everything, in reverse.
  tracker.enter('deprovisioning');
  status.deprovision = { requestedAt: deprovisionRequestedAt!, requestedBy: deprovisionRequestedBy, leftovers: [] };
  const leftovers = await tracker.step('teardown', () =>
    tearDownInstall(tracker, input, access(), timeouts.sandboxStack),
  );
  status.deprovision = { ...status.deprovision, leftovers, finishedAt: new Date().toISOString() };
  tracker.enter('deprovisioned');
  await condition(allHandlersFinished);
  return status;

  /** Waits for a role that verifies; whatever ends the wait, no submission is left without an answer. */
  async function awaitVerifiedRole(): Promise<'verified' | 'expired' | 'deprovision'> {
    try {
      return await waitForRoleUntilVerified();
    } finally {
      if (pendingSubmission && !outcomes.has(pendingSubmission.id)) {
        outcomes.set(pendingSubmission.id, {
          verified: false,
          phase: status.phase,
          error: describeUnverified(deprovisionRequested()),
        });
        pendingSubmission = undefined;
      }
    }
  }

  async function waitForRoleUntilVerified(): Promise<'verified' | 'expired' | 'deprovision'> {
    const startedWaiting = Date.now();
    const expiresAt = startedWaiting + durationMs(timeouts.roleSubmission);
    const reminderEvery = durationMs(timeouts.roleReminder);
    for (;;) {
      tracker.enter('awaiting_role');
      while (!pendingSubmission && !deprovisionRequested()) {
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
          pendingSubmission !== undefined || deprovisionRequested() || status.onboarding?.callback !== callback;
        if (await condition(interrupted, waitMs)) {
          if (pendingSubmission || deprovisionRequested()) break;
          continue; // onboarding was restarted: wait for the new callback's expiry instead
        }
        if (Date.now() >= expiresAt) return 'expired';
        if (callbackLapsed(callback)) {
          callback!.state = 'expired';
          continue;
        }
        await quick('Remind the customer to create the role').sendRoleReminder({
          installId: input.installId,
          orgId: input.orgId,
          waitingSince: new Date(startedWaiting).toISOString(),
        });
        status.remindersSent += 1;
      }
      if (deprovisionRequested()) return 'deprovision';

      const submission = pendingSubmission!;
      tracker.enter('verifying_role');
      const error = await verifyRole(
        tracker,
        input,
        {
          installId: input.installId,
          roleArn: submission.roleArn,
          externalId: status.onboarding!.externalId,
          region: input.region,
        },
        timeouts.rolePropagation,
      );
      pendingSubmission = undefined;
      outcomes.set(submission.id, { verified: !error, phase: status.phase, error });
      if (!error) return 'verified';
    }
  }

  async function failInstall(error: unknown): Promise<never> {
    const failedPhase = status.phase;
    const failure = tracker.recordError(summarizeFailure(error), tracker.lastFailedStep());
    if (!input.keepResourcesOnFailure) {
      const leftovers = await CancellationScope.nonCancellable(() =>
        tearDownInstall(tracker, input, access(), timeouts.sandboxStack),
      );
      status.deprovision = { requestedAt: failure.at, finishedAt: new Date().toISOString(), leftovers };
    }
    tracker.enter('failed');
    await condition(allHandlersFinished);
    throw ApplicationFailure.nonRetryable(
      `Install failed while ${failedPhase}: ${failure.message}`,
      failure.code,
      status,
    );
  }
}

/** The answer to a submission the install stopped waiting for before verifying it. */
function describeUnverified(deprovisioning: boolean): InstallError {
  const failure = deprovisioning
    ? { code: 'deprovision_requested', message: 'Deprovisioning was requested before the role was verified.' }
    : { code: 'role_submission_closed', message: 'The install stopped taking role ARNs before verifying this one.' };
  return { ...describeFailure(failure, 'verify_role'), at: new Date().toISOString() };
}
