import type { WorkflowUpdateFailedError } from '@temporalio/client';
import type { CustomerAccess } from '../../domain/customer-access';
import {
  requestDeprovisionUpdate,
  rotateExternalIdUpdate,
  runnerCheckInUpdate,
  submitRoleArnUpdate,
} from '../../workflows/definitions';
import { waitUntil } from '../helpers';
import { installStatus, startInstall, testInstallInput, waitForPhase } from '../install-driver';
import { mockActivities, permanentFailure } from './mock-activities';
import { useTimeSkippingEnvironment } from './time-skipping';

const roleArn = 'arn:aws:iam::111111111111:role/install-access';
const registration = { registrationId: 'reg-1', tokenSha256: 'a'.repeat(64), runnerId: 'runner-1' };
// What the mocks make: prepareOnboarding's first ID, createExternalId's new one.
const oldId = 'f'.repeat(48);
const newId = 'e'.repeat(48);
const hour = 3_600_000;

function updateFailureType(error: unknown): string | undefined {
  return ((error as WorkflowUpdateFailedError).cause as { type?: string } | undefined)?.type;
}

describe('External ID rotation, with activities mocked, on a time-skipping server', () => {
  const timeSkipping = useTimeSkippingEnvironment();
  const production = {
    readInputLimits: async () => ({ durationFloor: 'production' as const, subscribedEventTypes: [] }),
  };
  const productionInput = (label: string, reverifyEvery: string) =>
    testInstallInput(label, { timeouts: {}, cur: { firstReport: { watch: false } }, reverifyEvery });

  /** The role verified and the runner checked in: the install is active. */
  async function activate(handle: Awaited<ReturnType<typeof startInstall>>) {
    await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
    await waitUntil(
      () => installStatus(handle),
      (s) => s.runner !== undefined,
    );
    await handle.executeUpdate(runnerCheckInUpdate, { args: [registration] });
    return waitForPhase(handle, 'active');
  }

  it('switches to the new ID once AWS accepts it, completes once the old one is refused, and re-verifies with the ID in use throughout', async () => {
    let newIdAccepted = false;
    let oldIdRefused = false;
    const reverifiedWith: CustomerAccess[] = [];
    const trustChecks: Array<string | undefined> = [];
    const rotationEvents: string[] = [];
    const { activities, calls } = mockActivities({
      // An endpoint takes rotation events only: the install hands over those and no other.
      readInputLimits: async () => ({
        durationFloor: 'production' as const,
        subscribedEventTypes: ['install.external_id.rotation' as const],
      }),
      publishInstallEvent: async ({ event }) => {
        if (event.type === 'install.external_id.rotation') rotationEvents.push(JSON.stringify(event.data));
        return { endpoints: 1, subscribed: ['install.external_id.rotation'] };
      },
      verifyRoleAccess: async ({ access }) => {
        reverifiedWith.push(access);
        return { assumedRoleArn: 'arn:aws:sts::111111111111:assumed-role/install-access/s', accountId: '111111111111' };
      },
      checkRoleTrustPolicy: async ({ rotatingExternalId }) => {
        trustChecks.push(rotatingExternalId);
        return { findings: [] };
      },
      tryExternalId: async ({ access }) => {
        if (access.externalId === newId) return { outcome: newIdAccepted ? 'accepted' : 'refused' };
        return { outcome: oldIdRefused ? 'refused' : 'accepted' };
      },
    });
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const handle = await startInstall(client, taskQueue, productionInput('rotate', '5 minutes'));
      await activate(handle);

      const started = await handle.executeUpdate(rotateExternalIdUpdate, { args: [{ pollEvery: '1 minute' }] });
      expect(started).toMatchObject({ step: 'awaiting_trust_update', pollEvery: '1 minute', polls: 0 });
      expect(Date.parse(started.expiresAt) - Date.parse(started.requestedAt)).toBe(48 * hour);
      const pending = await installStatus(handle);
      expect(pending.onboarding).toMatchObject({ externalId: oldId, nextExternalId: newId });

      // The customer has not updated the role yet: the install polls, and re-verifies with the old ID, still active.
      const checksBefore = reverifiedWith.length;
      await timeSkipping.env.sleep('11 minutes');
      const waiting = await installStatus(handle);
      expect(waiting).toMatchObject({ phase: 'active', externalIdRotation: { step: 'awaiting_trust_update' } });
      expect(waiting.externalIdRotation!.polls).toBeGreaterThanOrEqual(5);
      expect(reverifiedWith.length).toBeGreaterThan(checksBefore);
      expect(reverifiedWith.slice(checksBefore).every((access) => access.externalId === oldId)).toBe(true);
      expect(trustChecks.at(-1)).toBe(newId);

      newIdAccepted = true;
      await timeSkipping.env.sleep('2 minutes');
      const switched = await waitUntil(
        () => installStatus(handle),
        (s) => s.externalIdRotation?.step === 'awaiting_old_id_removal',
      );
      expect(switched.onboarding).toMatchObject({
        externalId: newId,
        previousExternalId: oldId,
        externalIdGeneration: 1,
      });
      expect(switched.onboarding?.nextExternalId).toBeUndefined();
      expect(switched.externalIdRotation?.customerAction).toMatch(/only the new External ID/);

      const checksAfterSwitch = reverifiedWith.length;
      await timeSkipping.env.sleep('11 minutes');
      expect((await installStatus(handle)).phase).toBe('active');
      const afterSwitch = reverifiedWith.slice(checksAfterSwitch);
      expect(afterSwitch.length).toBeGreaterThan(0);
      expect(afterSwitch.every((a) => a.externalId === newId && a.externalIdGeneration === 1)).toBe(true);
      expect(trustChecks.at(-1)).toBe(oldId);

      oldIdRefused = true;
      await timeSkipping.env.sleep('2 minutes');
      const completed = await waitUntil(
        () => installStatus(handle),
        (s) => s.externalIdRotation?.step === 'completed',
      );
      expect(completed.onboarding?.externalId).toBe(newId);
      expect(completed.onboarding?.previousExternalId).toBeUndefined();
      expect(completed.role).toMatchObject({ withoutExternalId: 'refused', withWrongExternalId: 'refused' });
      expect(completed.externalIdRotation?.customerAction).toBeUndefined();
      expect(completed.phase).toBe('active');
      // The switch kept the session the new ID opened; the old ID was only ever probed, never kept.
      const tries = calls.filter((call) => call.name === 'tryExternalId').map((call) => call.input) as Array<{
        access: CustomerAccess;
        keepSession?: boolean;
      }>;
      expect(tries.filter((t) => t.access.externalId === newId).every((t) => t.keepSession === true)).toBe(true);
      expect(tries.filter((t) => t.access.externalId === oldId).every((t) => !t.keepSession)).toBe(true);
      // One webhook event per step, carrying the rotation's record and never an ID.
      const steps = rotationEvents.map(
        (data) => (JSON.parse(data) as { externalIdRotation: { step: string } }).externalIdRotation.step,
      );
      expect(steps).toEqual(['awaiting_trust_update', 'awaiting_old_id_removal', 'completed']);
      expect(rotationEvents.some((data) => data.includes(oldId) || data.includes(newId))).toBe(false);

      // After it ended, the trust policy check names no second ID again.
      await timeSkipping.env.sleep('6 minutes');
      await waitUntil(
        async () => trustChecks.length,
        () => trustChecks.at(-1) === undefined,
      );
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
    });
  });

  it('expires an unused new ID after 48 hours and keeps the old one in use, and refuses a second rotation meanwhile', async () => {
    const reverifiedWith: string[] = [];
    const { activities, calls } = mockActivities({
      ...production,
      verifyRoleAccess: async ({ access }) => {
        reverifiedWith.push(access.externalId);
        return { assumedRoleArn: 'arn:aws:sts::111111111111:assumed-role/install-access/s', accountId: '111111111111' };
      },
    });
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const handle = await startInstall(client, taskQueue, productionInput('rotate-expires', '6 hours'));
      await activate(handle);
      const started = await handle.executeUpdate(rotateExternalIdUpdate, { args: [{ pollEvery: '1 hour' }] });

      const second = await handle
        .executeUpdate(rotateExternalIdUpdate, { args: [{}] })
        .then(() => undefined, updateFailureType);
      expect(second).toBe('ExternalIdRotationPending');

      await timeSkipping.env.sleep('47 hours');
      expect((await installStatus(handle)).externalIdRotation?.step).toBe('awaiting_trust_update');
      await timeSkipping.env.sleep('2 hours');
      const expired = await waitUntil(
        () => installStatus(handle),
        (s) => s.externalIdRotation?.step === 'expired',
      );
      expect(
        Date.parse(expired.externalIdRotation!.expiredAt!) - Date.parse(started.requestedAt),
      ).toBeGreaterThanOrEqual(48 * hour);
      expect(expired.onboarding).toMatchObject({ externalId: oldId });
      expect(expired.onboarding?.nextExternalId).toBeUndefined();
      expect(expired.onboarding?.externalIdGeneration).toBeUndefined();
      expect(expired.phase).toBe('active');
      expect(new Set(reverifiedWith)).toEqual(new Set([oldId]));
      expect(reverifiedWith.length).toBeGreaterThanOrEqual(8);
      // Hourly polls for 48 hours: bounded, not one per workflow task.
      const polls = calls.filter((call) => call.name === 'tryExternalId').length;
      expect(polls).toBeGreaterThanOrEqual(46);
      expect(polls).toBeLessThanOrEqual(49);

      // An expired rotation is over: another may start.
      await expect(handle.executeUpdate(rotateExternalIdUpdate, { args: [{}] })).resolves.toMatchObject({
        step: 'awaiting_trust_update',
      });
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
    });
  });

  it('switches before re-verifying when the customer went straight to the new ID alone, so the install never degrades', async () => {
    let onlyNewId = false;
    const { activities } = mockActivities({
      ...production,
      verifyRoleAccess: async ({ access }) => {
        if (onlyNewId && access.externalId === oldId) return permanentFailure('old ID refused', 'RoleNotAssumable')();
        return { assumedRoleArn: 'arn:aws:sts::111111111111:assumed-role/install-access/s', accountId: '111111111111' };
      },
      tryExternalId: async ({ access }) => ({
        outcome: onlyNewId === (access.externalId === newId) ? ('accepted' as const) : ('refused' as const),
      }),
    });
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const handle = await startInstall(client, taskQueue, productionInput('rotate-jump', '5 minutes'));
      await activate(handle);
      // Polls hourly: the next re-verification (within 5 minutes) comes long before the next poll.
      await handle.executeUpdate(rotateExternalIdUpdate, { args: [{ pollEvery: '1 hour' }] });
      onlyNewId = true;
      await timeSkipping.env.sleep('6 minutes');
      const switched = await waitUntil(
        () => installStatus(handle),
        (s) => s.externalIdRotation?.step === 'awaiting_old_id_removal',
      );
      await timeSkipping.env.sleep('6 minutes');
      const after = await installStatus(handle);
      expect(after.phase).toBe('active');
      expect(after.role?.drift).toBeUndefined();
      expect(Date.parse(after.role!.lastVerifiedAt!)).toBeGreaterThan(
        Date.parse(switched.externalIdRotation!.switchedAt!),
      );
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
    });
  });

  it('asks hourly, not every poll period, once a customer leaves the old ID in the trust policy past the expiry', async () => {
    const { activities, calls } = mockActivities({
      ...production,
      tryExternalId: async () => ({ outcome: 'accepted' as const }),
    });
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const handle = await startInstall(client, taskQueue, productionInput('rotate-late-removal', '1 hour'));
      await activate(handle);
      await handle.executeUpdate(rotateExternalIdUpdate, {
        args: [{ pollEvery: '10 minutes', expiresAfter: '2 hours' }],
      });
      await timeSkipping.env.sleep('1 day');
      const status = await waitUntil(
        () => installStatus(handle),
        (s) => s.externalIdRotation!.polls >= 30,
      );
      expect(status).toMatchObject({ phase: 'active', externalIdRotation: { step: 'awaiting_old_id_removal' } });
      const oldIdTries = calls.filter(
        (call) =>
          call.name === 'tryExternalId' && (call.input as { access: CustomerAccess }).access.externalId === oldId,
      ).length;
      // Every 10 minutes for the first two hours (about 12), then hourly (about 22): not 144.
      expect(oldIdTries).toBeGreaterThanOrEqual(30);
      expect(oldIdTries).toBeLessThanOrEqual(40);
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
    });
  });

  it('refuses a rotation before the install is active, and an expiry or poll period out of bounds', async () => {
    const { activities, calls } = mockActivities(production);
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const handle = await startInstall(client, taskQueue, productionInput('rotate-refused', '1 hour'));
      await waitForPhase(handle, 'awaiting_role');
      const early = await handle
        .executeUpdate(rotateExternalIdUpdate, { args: [{}] })
        .then(() => undefined, updateFailureType);
      expect(early).toBe('WrongPhase');

      await activate(handle);
      for (const request of [{ expiresAfter: '999999999 days' }, { expiresAfter: '31 days' }, { pollEvery: 'often' }]) {
        const refused = await handle
          .executeUpdate(rotateExternalIdUpdate, { args: [request] })
          .then(() => undefined, updateFailureType);
        expect(refused).toBe('InvalidRotationRequest');
      }
      expect((await installStatus(handle)).externalIdRotation).toBeUndefined();
      expect(calls.map((call) => call.name)).not.toContain('createExternalId');
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
    });
  });
});
