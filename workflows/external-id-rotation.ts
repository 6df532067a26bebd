import { ApplicationFailure, patched, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { InstallActivities } from '../activities';
import type { CustomerAccess } from '../domain/customer-access';
import { durationMs } from '../domain/durations';
import {
  checkRotationRequest,
  pendingRotationSteps,
  rotationBounds,
  rotationCustomerActions,
  type ExternalIdRotation,
} from '../domain/external-id-rotation';
import { healthCheck, inWorkerCall } from './activity-profiles';
import { rotateExternalIdUpdate } from './definitions';
import { summarizeFailure } from './failures';
import type { InstallTracker } from './install-tracker';
import { anchorsPatch } from './patches';

/** The id of the API key that asked is kept in the status: bounded like any text an integrator sends. */
const maxRequestedByLength = 200;

/** Whether a rotation is under way: the install then polls it, and the trust policy may hold the two IDs. */
export function rotationUnderWay(tracker: InstallTracker): boolean {
  const step = tracker.status.externalIdRotation?.step;
  return step !== undefined && pendingRotationSteps.includes(step);
}

/** The install's other External ID while a rotation is under way (the new one, then the old one), else nothing. */
export function rotatingExternalId(tracker: InstallTracker): string | undefined {
  const onboarding = tracker.status.onboarding;
  if (!rotationUnderWay(tracker)) return undefined;
  return onboarding?.nextExternalId ?? onboarding?.previousExternalId;
}

/** A customer who leaves the old ID in the trust policy past `expiresAt` is asked hourly, not every `pollEvery`. */
const lateRemovalPollMs = 3_600_000;

/** When the rotation under way next needs the install: its next poll, or the expiry of an unused new ID. */
export function nextRotationPollAt(tracker: InstallTracker): number {
  const rotation = tracker.status.externalIdRotation!;
  const lastPolledAt = Date.parse(rotation.lastPolledAt ?? rotation.requestedAt);
  const expiresAt = Date.parse(rotation.expiresAt);
  const pollEveryMs = durationMs(rotation.pollEvery);
  if (rotation.step === 'awaiting_trust_update') return Math.min(lastPolledAt + pollEveryMs, expiresAt);
  return lastPolledAt + (lastPolledAt >= expiresAt ? Math.max(pollEveryMs, lateRemovalPollMs) : pollEveryMs);
}

/**
 * The rotate update: refused unless the install is active or degraded with a verified role, while another rotation
 * is under way (or starting), and with settings out of bounds (the API checks the deployment's floor; this, the
 * loosest). The new ID is made by a local activity; the handler answers once the rotation has started.
 */
export function setExternalIdRotationHandler(tracker: InstallTracker): void {
  let starting = false;
  setHandler(
    rotateExternalIdUpdate,
    async (request) => {
      starting = true;
      try {
        patched(anchorsPatch);
        const { externalId } = await proxyLocalActivities<InstallActivities>({
          ...inWorkerCall,
          summary: 'Create the new External ID',
        }).createExternalId({ installId: tracker.status.installId });
        startRotation(tracker, externalId, request);
        return tracker.view().externalIdRotation!;
      } finally {
        starting = false;
      }
    },
    {
      validator: (request) => {
        const { phase } = tracker.status;
        if ((phase !== 'active' && phase !== 'degraded') || !tracker.access()) {
          throw ApplicationFailure.nonRetryable(
            `The External ID can be rotated only while the install is active or degraded; it is ${phase}.`,
            'WrongPhase',
            { phase },
          );
        }
        if (tracker.status.trust === 'oidc') {
          // Its role trusts this install's token subject, not an External ID: there is nothing to rotate.
          throw ApplicationFailure.nonRetryable(
            'An install in OIDC trust mode has no External ID to rotate; its signing keys rotate on the issuer.',
            'InvalidRotationRequest',
            { code: 'invalid_rotation_request', phase },
          );
        }
        if (starting || rotationUnderWay(tracker)) {
          throw ApplicationFailure.nonRetryable(
            `An External ID rotation is already under way (${tracker.status.externalIdRotation?.step ?? 'starting'}).`,
            'ExternalIdRotationPending',
            { code: 'external_id_rotation_pending', phase },
          );
        }
        const [problem] = checkRotationRequest(request, 'development');
        const requestedBy = request.requestedBy;
        if (problem || (requestedBy !== undefined && requestedBy.length > maxRequestedByLength)) {
          throw ApplicationFailure.nonRetryable(
            problem ? `${problem.path} ${problem.message}` : `/requestedBy is longer than ${maxRequestedByLength}`,
            'InvalidRotationRequest',
            { code: 'invalid_rotation_request', phase },
          );
        }
      },
    },
  );
}

function startRotation(
  tracker: InstallTracker,
  externalId: string,
  request: { expiresAfter?: string; pollEvery?: string; requestedBy?: string },
): void {
  const now = Date.now();
  const onboarding = tracker.status.onboarding!;
  onboarding.nextExternalId = externalId;
  delete onboarding.previousExternalId;
  tracker.status.externalIdRotation = {
    step: 'awaiting_trust_update',
    requestedAt: new Date(now).toISOString(),
    ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
    expiresAt: new Date(now + durationMs(request.expiresAfter ?? rotationBounds.expiresAfter.default)).toISOString(),
    pollEvery: request.pollEvery ?? rotationBounds.pollEvery.default,
    polls: 0,
    customerAction: rotationCustomerActions.awaiting_trust_update,
  };
  announce(tracker);
}

/** Each step change is an install event; it carries the rotation's record, never an ID. */
function announce(tracker: InstallTracker): void {
  const rotation = tracker.status.externalIdRotation!;
  tracker.events.emit('install.external_id.rotation', { externalIdRotation: { ...rotation } });
}

function moveTo(tracker: InstallTracker, changes: Partial<ExternalIdRotation>): void {
  const rotation = tracker.status.externalIdRotation!;
  Object.assign(rotation, changes);
  delete rotation.lastProblem;
  if (!pendingRotationSteps.includes(rotation.step)) delete rotation.customerAction;
  announce(tracker);
}

/**
 * One poll of the rotation under way. Waiting for the trust update: AssumeRole with the new ID; accepted, the install
 * switches to it (sessions keyed by the new generation); past `expiresAt` the new ID is forgotten and the old stays.
 * Waiting for the old ID's removal: AssumeRole with it must be refused, and without an ID and with a wrong one still
 * too; then the rotation is complete. A poll that cannot tell (AWS failing) is recorded and tried again next time:
 * the install keeps working with the ID it uses meanwhile.
 */
export async function advanceExternalIdRotation(tracker: InstallTracker, current: CustomerAccess): Promise<void> {
  const rotation = tracker.status.externalIdRotation!;
  const onboarding = tracker.status.onboarding!;
  const now = Date.now();
  const expired = () => rotation.step === 'awaiting_trust_update' && Date.now() >= Date.parse(rotation.expiresAt);
  if (expired()) {
    delete onboarding.nextExternalId;
    moveTo(tracker, { step: 'expired', expiredAt: new Date(now).toISOString() });
    return;
  }
  rotation.polls += 1;
  rotation.lastPolledAt = new Date(now).toISOString();
  try {
    if (rotation.step === 'awaiting_trust_update') {
      const generation = (onboarding.externalIdGeneration ?? 0) + 1;
      const { outcome } = await healthCheck('Rotate: AssumeRole with the new External ID').tryExternalId({
        access: { ...current, externalId: onboarding.nextExternalId!, externalIdGeneration: generation },
        keepSession: true,
      });
      if (outcome === 'accepted') {
        onboarding.previousExternalId = onboarding.externalId;
        onboarding.externalId = onboarding.nextExternalId!;
        onboarding.externalIdGeneration = generation;
        delete onboarding.nextExternalId;
        moveTo(tracker, {
          step: 'awaiting_old_id_removal',
          switchedAt: new Date().toISOString(),
          customerAction: rotationCustomerActions.awaiting_old_id_removal,
        });
      } else if (expired()) {
        delete onboarding.nextExternalId;
        moveTo(tracker, { step: 'expired', expiredAt: new Date().toISOString() });
      }
      return;
    }
    const old = await healthCheck('Rotate: AssumeRole with the old External ID must be refused').tryExternalId({
      access: { ...current, externalId: onboarding.previousExternalId! },
    });
    if (old.outcome === 'accepted') return;
    const withoutId = await healthCheck(
      'Rotate: AssumeRole without the External ID must be refused',
    ).probeRoleWithoutExternalId({ access: current });
    const wrongId = await healthCheck(
      'Rotate: AssumeRole with a wrong External ID must be refused',
    ).probeRoleWithWrongExternalId({ access: current });
    tracker.recordRoleChecks({
      withoutExternalId: withoutId.withoutExternalId,
      withWrongExternalId: wrongId.withWrongExternalId,
    });
    if (withoutId.withoutExternalId === 'refused' && wrongId.withWrongExternalId === 'refused') {
      delete onboarding.previousExternalId;
      moveTo(tracker, { step: 'completed', completedAt: new Date().toISOString() });
      return;
    }
    rotation.lastProblem = {
      code: withoutId.withoutExternalId === 'allowed' ? 'external_id_not_enforced' : 'external_id_not_pinned',
      message: 'The old External ID is refused, but the role still accepts callers without the new one.',
      at: new Date().toISOString(),
    };
  } catch (error) {
    const failure = summarizeFailure(error);
    rotation.lastProblem = { code: failure.code, message: failure.message, at: new Date().toISOString() };
  }
}
