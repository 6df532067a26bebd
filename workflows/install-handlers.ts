import { ApplicationFailure, setHandler, condition } from '@temporalio/workflow';
import { checkRoleArnForInstall, partitionOfRegion } from '../domain/arn';
import {
  customerAccessQuery,
  decideApprovalUpdate,
  deprovisionSignal,
  firstReportNewsSignal,
  getStatusQuery,
  recheckPermissionsUpdate,
  requestDeprovisionUpdate,
  restartOnboardingUpdate,
  roleArnSubmittedSignal,
  runnerCheckInUpdate,
  submitRoleArnUpdate,
  terminalPhases,
  waitForOnboardingUpdate,
  webhookDeliveryNewsSignal,
  type InstallInput,
  type InstallTimeouts,
  type RoleArnSubmission,
} from './definitions';
import { summarizeFailure } from './failures';
import { recordFirstReportNews } from './first-report-news';
import type { InstallInbox } from './install-inbox';
import type { InstallTracker } from './install-tracker';
import { newCallback, rejectCallbackSubmission } from './onboarding-callback';
import { setExternalIdRotationHandler } from './external-id-rotation';

/**
 * Every signal, query and update the install answers. Validators decide whether a message is taken (a rejected
 * update leaves no trace in history); handlers only record it in the inbox or the status, for the story to act on.
 * The role ARN arrives by update (a person, the API, which wants the outcome) or by signal (another workflow), on one
 * code path.
 */
export function setInstallHandlers(
  tracker: InstallTracker,
  inbox: InstallInbox,
  input: InstallInput,
  timeouts: InstallTimeouts,
): void {
  const { status } = tracker;
  const expected = { accountId: input.awsAccountId, partition: partitionOfRegion(input.region) };

  // The API checks only a request's shape: what the install can take is decided here, once. A bad ARN is named as
  // such whatever the phase; WrongPhase carries the phase for the caller.
  const rejectSubmission = ({ roleArn, callback }: RoleArnSubmission) => {
    if (callback) rejectCallbackSubmission(status.onboarding?.callback, callback, input.awsAccountId);
    const check = checkRoleArnForInstall(roleArn, expected);
    if (!check.ok) throw ApplicationFailure.nonRetryable(check.problem.message, 'InvalidRoleArn', check.problem.code);
    if (status.phase !== 'awaiting_role' || inbox.hasSubmission) {
      throw ApplicationFailure.nonRetryable(
        `A role ARN can be submitted only while awaiting the role; the install is ${status.phase}.`,
        'WrongPhase',
        { phase: status.phase },
      );
    }
  };
  const acceptSubmission = (submission: RoleArnSubmission) => {
    const id = tracker.acceptRoleSubmission(submission);
    inbox.submit(id, submission.roleArn);
    return id;
  };

  setHandler(getStatusQuery, () => tracker.view());
  setHandler(customerAccessQuery, (ref) => tracker.accessFor(ref));
  // Answers once the External ID and kit exist (or the install ended without them): with Update-with-Start, the
  // API's start returns the kit without polling.
  setHandler(waitForOnboardingUpdate, async () => {
    await condition(() => status.onboarding !== undefined || terminalPhases.includes(status.phase));
    return tracker.view();
  });
  setHandler(firstReportNewsSignal, (news) => recordFirstReportNews(tracker, news));
  setHandler(webhookDeliveryNewsSignal, (news) => tracker.recordWebhookDelivery(news));
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
      if (!tracker.patches.has('role-outcome-after-phase')) {
        await condition(() => inbox.outcome(id) !== undefined);
        return inbox.outcome(id)!;
      }
      await condition(() => inbox.outcome(id) !== undefined && status.phase !== 'verifying_role');
      return { ...inbox.outcome(id)!, phase: status.phase };
    },
    { validator: rejectSubmission },
  );
  setHandler(restartOnboardingUpdate, () => tracker.openCallback(newCallback(timeouts.onboardingCallback)), {
    validator: () => {
      if (status.phase !== 'awaiting_role' || !status.onboarding?.callback) {
        throw ApplicationFailure.nonRetryable(`Onboarding cannot be restarted while ${status.phase}.`, 'WrongPhase', {
          phase: status.phase,
        });
      }
    },
  });
  setHandler(
    runnerCheckInUpdate,
    (checkIn) => {
      tracker.recordRunnerCheckIn(checkIn.runnerId, checkIn.verifiedIdentity);
      return { accepted: true as const, phase: status.phase };
    },
    {
      validator: (checkIn) => {
        const runner = status.runner;
        if (status.phase !== 'handing_off' || !runner) {
          throw ApplicationFailure.nonRetryable(`No runner check-in is expected while ${status.phase}.`, 'WrongPhase', {
            phase: status.phase,
          });
        }
        if (runner.checkedInAt) {
          throw ApplicationFailure.nonRetryable('This registration was already used.', 'RegistrationUsed');
        }
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
      inbox.approvalDecision = decision;
      return { phase: status.phase };
    },
    {
      validator: (_decision) => {
        if (status.phase !== 'awaiting_approval' || inbox.approvalDecision) {
          throw ApplicationFailure.nonRetryable(`No approval is pending while ${status.phase}.`, 'WrongPhase', {
            phase: status.phase,
          });
        }
      },
    },
  );
  setHandler(
    recheckPermissionsUpdate,
    async () => {
      const ticket = inbox.requestRecheck();
      await condition(() => inbox.recheckDone(ticket) || inbox.deprovisionRequested);
      return { phase: status.phase, permissions: tracker.view().permissions };
    },
    {
      validator: () => {
        const watching = ['active', 'degraded', 'awaiting_permission_upgrade'].includes(status.phase);
        if (!watching || !inbox.takesRechecks || inbox.deprovisionRequested) {
          throw ApplicationFailure.nonRetryable(
            `The install can be re-checked only while active (and on a run that takes rechecks); it is ${status.phase}.`,
            'WrongPhase',
            { phase: status.phase },
          );
        }
      },
    },
  );
  setHandler(deprovisionSignal, (request) => inbox.requestDeprovision(request));
  setExternalIdRotationHandler(tracker);
  setHandler(
    requestDeprovisionUpdate,
    (request) => {
      inbox.requestDeprovision(request);
      return { phase: status.phase };
    },
    {
      validator: (_request) => {
        if (inbox.deprovisionRequested || terminalPhases.includes(status.phase) || status.phase === 'deprovisioning') {
          throw ApplicationFailure.nonRetryable(`The install is already ${status.phase}.`, 'AlreadyDeprovisioning');
        }
      },
    },
  );
}
