import { activityInfo } from '@temporalio/activity';
import type { WorkflowUpdateFailedError } from '@temporalio/client';
import { nextSlotAfter } from '../../domain/install-slots';
import {
  recheckPermissionsUpdate,
  requestDeprovisionUpdate,
  runnerCheckInUpdate,
  submitRoleArnUpdate,
} from '../../workflows/definitions';
import { waitUntil } from '../helpers';
import { installStatus, startInstall, testInstallInput, waitForPhase } from '../install-driver';
import { mockActivities } from './mock-activities';
import { useTimeSkippingEnvironment } from './time-skipping';

const roleArn = 'arn:aws:iam::111111111111:role/install-access';
const registration = { registrationId: 'reg-1', tokenSha256: 'a'.repeat(64), runnerId: 'runner-1' };
const added = 'sqs:ListQueueTags on arn:aws:sqs:us-east-1:111111111111:install-x-*';
const minute = 60_000;
const hour = 60 * minute;

/**
 * The vendor's permission set as the mocked preflight sees it: `current` is the version the worker ships, `granted`
 * whether the customer's role grants what version 2 adds. Records the version each check was asked to hold.
 */
function permissionWorld() {
  const world = { current: 1, granted: false, heldVersions: [] as number[], checkedAt: [] as number[] };
  const { activities, calls } = mockActivities({
    readInputLimits: async () => ({ durationFloor: 'production' as const, subscribedEventTypes: [] }),
    checkRolePermissions: async () => ({ missing: [], conditional: [], version: world.current }),
    checkPermissionUpgrade: async ({ version }) => {
      world.heldVersions.push(version);
      world.checkedAt.push(activityInfo().currentAttemptScheduledTimestampMs);
      const newer = world.current > version ? [added] : [];
      return {
        version,
        current: world.current,
        missing: [],
        conditional: [],
        added: newer,
        addedMissing: world.granted ? [] : newer,
        addedConditional: [],
      };
    },
  });
  return { world, activities, calls };
}

async function activate(handle: Awaited<ReturnType<typeof startInstall>>): Promise<void> {
  await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
  await waitUntil(
    () => installStatus(handle),
    (s) => s.runner !== undefined,
  );
  await handle.executeUpdate(runnerCheckInUpdate, { args: [registration] });
  await waitForPhase(handle, 'active');
}

const input = (label: string) =>
  testInstallInput(label, { timeouts: {}, cur: { firstReport: { watch: false } }, reverifyEvery: '1 hour' });

describe('permission upgrades, with activities mocked, on a time-skipping server', () => {
  const timeSkipping = useTimeSkippingEnvironment();

  it('asks an active install for what a new version adds, polls every 15 minutes, and returns to active at the new version once granted', async () => {
    const { world, activities, calls } = permissionWorld();
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const handle = await startInstall(client, taskQueue, input('upgrade'));
      await activate(handle);
      expect((await installStatus(handle)).permissions).toEqual({ version: 1 });

      world.current = 2; // the vendor ships version 2
      await timeSkipping.env.sleep('61 minutes');
      const asked = await waitForPhase(handle, 'awaiting_permission_upgrade');
      expect(asked.permissions).toMatchObject({
        version: 1,
        upgrade: { fromVersion: 1, toVersion: 2, addedActions: [added], missing: [added], checks: 1, pollsLeft: 96 },
      });
      // Still checked against version 1, the one the role was verified against: no drift, the install stays usable.
      expect(asked.role?.drift).toBeUndefined();
      expect(world.heldVersions.every((version) => version === 1)).toBe(true);

      await timeSkipping.env.sleep('31 minutes');
      const polled = await waitUntil(
        () => installStatus(handle),
        (status) => (status.permissions?.upgrade?.checks ?? 0) >= 3,
      );
      expect(polled.phase).toBe('awaiting_permission_upgrade');
      expect(polled.permissions?.upgrade?.pollsLeft).toBeLessThanOrEqual(94);
      const askedAt = Date.parse(polled.permissions!.upgrade!.askedAt);
      // The polls, 15 minutes apart, between the install's hourly slots.
      const polls = world.checkedAt.filter((at) => at > askedAt);
      expect(polls[0]! - askedAt).toBeGreaterThanOrEqual(15 * minute);
      expect(polls[0]! - askedAt).toBeLessThan(15 * minute + 10_000);

      world.granted = true; // the customer applies the updated policy
      await timeSkipping.env.sleep('16 minutes');
      const granted = await waitForPhase(handle, 'active');
      expect(granted.permissions).toMatchObject({
        version: 2,
        upgrades: [{ fromVersion: 1, toVersion: 2, askedAt: polled.permissions!.upgrade!.askedAt }],
      });
      expect(granted.permissions?.upgrade).toBeUndefined();
      // Found by a poll, before the next hourly slot.
      const grantedAt = Date.parse(granted.permissions!.upgrades![0]!.grantedAt);
      expect(grantedAt).toBeLessThan(nextSlotAfter(handle.workflowId, 'reverify', hour, askedAt));
      expect(world.heldVersions.at(-1)).toBe(1);

      await timeSkipping.env.sleep('61 minutes');
      await waitUntil(
        async () => world.heldVersions.at(-1),
        (version) => version === 2,
      );
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
      expect(calls.filter((call) => call.name === 'deploySandboxStack')).toHaveLength(1);
    });
  });

  it('takes a recheck request at once, and records the new version without asking when the role already grants it', async () => {
    const { world, activities } = permissionWorld();
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const handle = await startInstall(client, taskQueue, input('granted'));
      await activate(handle);
      world.current = 2;
      world.granted = true;
      const answer = await handle.executeUpdate(recheckPermissionsUpdate);
      expect(answer.phase).toBe('active');
      expect(answer.permissions).toMatchObject({ version: 2, upgrades: [{ fromVersion: 1, toVersion: 2 }] });
      expect(answer.permissions?.upgrades?.[0]?.askedAt).toBeUndefined();
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
    });
  });

  it('deprovisions an install awaiting a permission upgrade, and refuses rechecks once it is deprovisioning', async () => {
    const { world, activities, calls } = permissionWorld();
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const handle = await startInstall(client, taskQueue, input('upgrade-then-leave'));
      await activate(handle);
      world.current = 2;
      const answer = await handle.executeUpdate(recheckPermissionsUpdate);
      expect(answer.phase).toBe('awaiting_permission_upgrade');
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      const refused = await handle.executeUpdate(recheckPermissionsUpdate).catch((error: unknown) => error);
      expect(((refused as WorkflowUpdateFailedError).cause as { type?: string }).type).toBe('WrongPhase');
      expect((await handle.result()).phase).toBe('deprovisioned');
      expect(calls.map((call) => call.name)).toContain('deleteSandboxStack');
    });
  });
});
