import { activityInfo } from '@temporalio/activity';
import type { WorkflowUpdateFailedError } from '@temporalio/client';
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

/**
 * The vendor's permission set as the mocked preflight sees it: `current` is the version the worker ships, `granted`
 * whether the customer's role grants what version 2 adds. Records the version each check was asked to hold.
 */
function permissionWorld() {
  const world = {
    current: 1,
    granted: false,
    /** What the role lacks of the version it holds (the customer detached a policy). */
    lost: [] as string[],
    heldVersions: [] as number[],
    checkedAt: [] as number[],
    /** Each permission check: part of a whole re-verification, or an upgrade request's quick poll; what it saw. */
    checks: [] as Array<{ kind: 'reverification' | 'poll'; at: number; granted: boolean }>,
    reverifying: false,
  };
  const { activities, calls } = mockActivities({
    readInputLimits: async () => ({ durationFloor: 'production' as const, subscribedEventTypes: [] }),
    checkRolePermissions: async () => ({ missing: [], conditional: [], version: world.current }),
    // A whole re-verification starts with AssumeRole; a poll checks the permissions alone.
    verifyRoleAccess: async () => {
      world.reverifying = true;
      return { assumedRoleArn: 'arn:aws:sts::111111111111:assumed-role/install-access/s', accountId: '111111111111' };
    },
    checkPermissionUpgrade: async ({ version }) => {
      const at = activityInfo().currentAttemptScheduledTimestampMs;
      world.heldVersions.push(version);
      world.checkedAt.push(at);
      world.checks.push({ kind: world.reverifying ? 'reverification' : 'poll', at, granted: world.granted });
      world.reverifying = false;
      const newer = world.current > version ? [added] : [];
      return {
        version,
        current: world.current,
        missing: world.lost,
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

const input = (label: string, overrides: Partial<Parameters<typeof testInstallInput>[1]> = {}) =>
  testInstallInput(label, {
    timeouts: {},
    cur: { firstReport: { watch: false } },
    reverifyEvery: '1 hour',
    ...overrides,
  });

describe('permission upgrades, with activities mocked, on a time-skipping server', () => {
  const timeSkipping = useTimeSkippingEnvironment();
  // A run a failed test left open would hold the server's clock for the tests after it.
  const opened: Array<Awaited<ReturnType<typeof startInstall>>> = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((handle) => handle.terminate().catch(() => undefined)));
  });

  it('asks an active install for what a new version adds, polls every 15 minutes, and returns to active at the new version once granted', async () => {
    const { world, activities, calls } = permissionWorld();
    await timeSkipping.run(activities, async (client, taskQueue) => {
      // No scheduled re-verification: only the upgrade request's polls can notice the grant.
      const handle = await startInstall(client, taskQueue, input('upgrade', { reverifyEvery: undefined }));
      opened.push(handle);
      await activate(handle);
      expect((await installStatus(handle)).permissions).toEqual({ version: 1 });

      world.current = 2; // the vendor ships version 2
      const answer = await handle.executeUpdate(recheckPermissionsUpdate);
      expect(answer.phase).toBe('awaiting_permission_upgrade');
      expect(answer.permissions).toMatchObject({
        version: 1,
        upgrade: { fromVersion: 1, toVersion: 2, addedActions: [added], missing: [added], checks: 1, pollsLeft: 96 },
      });
      expect(answer.permissions?.upgrade?.problem).toMatchObject({ code: 'permission_upgrade_required' });
      expect(answer.permissions?.upgrade?.problem?.message).toContain(added);
      // Still checked against version 1, the one the role was verified against: no drift, the install stays usable.
      const asked = await installStatus(handle);
      expect(asked.role?.drift).toBeUndefined();
      expect(world.heldVersions).toEqual([1]);

      await timeSkipping.env.sleep('31 minutes');
      const polled = await waitUntil(
        () => installStatus(handle),
        (status) => (status.permissions?.upgrade?.checks ?? 0) >= 3,
      );
      expect(polled.phase).toBe('awaiting_permission_upgrade');
      const { checks, pollsLeft } = polled.permissions!.upgrade!;
      expect(pollsLeft).toBe(96 - (checks - 1));
      // The polls, 15 minutes apart.
      const [asking, ...polls] = world.checks;
      expect(polls.every((check) => check.kind === 'poll')).toBe(true);
      expect(polls[0]!.at - asking!.at).toBeGreaterThanOrEqual(15 * minute);
      expect(polls[1]!.at - polls[0]!.at).toBeGreaterThanOrEqual(15 * minute);
      expect(polls[1]!.at - polls[0]!.at).toBeLessThan(15 * minute + 10_000);

      world.granted = true; // the customer applies the updated policy
      await timeSkipping.env.sleep('16 minutes');
      const granted = await waitForPhase(handle, 'active');
      expect(granted.permissions).toMatchObject({
        version: 2,
        upgrades: [{ fromVersion: 1, toVersion: 2, askedAt: polled.permissions!.upgrade!.askedAt }],
      });
      expect(granted.permissions?.upgrade).toBeUndefined();
      expect(world.checks.find((check) => check.granted)?.kind).toBe('poll');
      expect(world.heldVersions.every((version) => version === 1)).toBe(true);

      // From now on the role is held to version 2.
      await handle.executeUpdate(recheckPermissionsUpdate);
      expect(world.heldVersions.at(-1)).toBe(2);
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
      expect(calls.filter((call) => call.name === 'deploySandboxStack')).toHaveLength(1);
    });
  });

  it('stops polling an unanswered upgrade request after 96 polls (a day), and still re-checks on request', async () => {
    const { world, activities } = permissionWorld();
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const handle = await startInstall(client, taskQueue, input('upgrade-unanswered', { reverifyEvery: undefined }));
      opened.push(handle);
      await activate(handle);
      world.current = 2;
      await handle.executeUpdate(recheckPermissionsUpdate);
      await timeSkipping.env.sleep('26 hours');
      const spent = await waitUntil(
        () => installStatus(handle),
        (status) => status.permissions?.upgrade?.pollsLeft === 0,
      );
      expect(spent.permissions?.upgrade?.checks).toBe(97);
      await timeSkipping.env.sleep('2 hours');
      expect(world.checks).toHaveLength(97);
      const again = await handle.executeUpdate(recheckPermissionsUpdate);
      expect(again.permissions?.upgrade?.checks).toBe(98);
      expect(again.phase).toBe('awaiting_permission_upgrade');
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
    });
  });

  it('takes a recheck request at once, and records the new version without asking when the role already grants it', async () => {
    const { world, activities } = permissionWorld();
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const handle = await startInstall(client, taskQueue, input('granted'));
      opened.push(handle);
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

  it('degrades an install whose role lost actions of its own version, and restores it once they are back', async () => {
    const { world, activities } = permissionWorld();
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const handle = await startInstall(client, taskQueue, input('lost'));
      opened.push(handle);
      await activate(handle);
      world.lost = ['iam:GetRole on arn:aws:iam::111111111111:role/*'];
      await timeSkipping.env.sleep('61 minutes');
      const degraded = await waitForPhase(handle, 'degraded');
      expect(degraded.role?.drift).toMatchObject({ code: 'permissions_lost' });
      expect(degraded.role?.drift?.message).toContain('of version 1: iam:GetRole');
      world.lost = [];
      expect((await handle.executeUpdate(recheckPermissionsUpdate)).phase).toBe('active');
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
    });
  });

  it('deprovisions an install awaiting a permission upgrade, and refuses rechecks once it is deprovisioning', async () => {
    const { world, activities, calls } = permissionWorld();
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const handle = await startInstall(client, taskQueue, input('upgrade-then-leave'));
      opened.push(handle);
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
