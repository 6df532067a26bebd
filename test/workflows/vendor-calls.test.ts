import { randomUUID } from 'node:crypto';
import { activityInfo } from '@temporalio/activity';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { InstallActivities } from '../../activities';
import { callsAwsAsVendor, vendorCallsTaskQueue } from '../../domain/vendor-calls';
import type { installWorkflow } from '../../workflows';
import { requestDeprovisionUpdate, runnerCheckInUpdate, submitRoleArnUpdate } from '../../workflows/definitions';
import { closeTestClient, createTestWorker, testClient, waitUntil, withTestWorker } from '../helpers';
import { installStatus, startInstall, testInstallInput, waitForPhase } from '../install-driver';
import { mockActivities } from './mock-activities';

const roleArn = 'arn:aws:iam::111111111111:role/install-access';

/** Every activity, recording the task queue it was polled from and when it started on this worker. */
function recordingStarts(activities: InstallActivities) {
  const starts: Array<{ name: string; taskQueue: string; at: number }> = [];
  const recorded = Object.fromEntries(
    Object.entries(activities).map(([name, activity]) => [
      name,
      (input: unknown) => {
        starts.push({ name, taskQueue: activityInfo().taskQueue, at: Date.now() });
        return (activity as (input: unknown) => Promise<unknown>)(input);
      },
    ]),
  ) as InstallActivities;
  return { activities: recorded, starts };
}

async function activate(handle: WorkflowHandle<typeof installWorkflow>): Promise<void> {
  await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
  const { runner } = await waitUntil(
    () => installStatus(handle),
    (status) => status.runner !== undefined,
  );
  await handle.executeUpdate(runnerCheckInUpdate, {
    args: [{ registrationId: runner!.registrationId, tokenSha256: 'a'.repeat(64), runnerId: 'runner-1' }],
  });
  await waitForPhase(handle, 'active');
}

describe('AWS calls as the vendor principal, on a task queue of their own with a ceiling', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(() => closeTestClient());

  it('runs every activity that may call AWS as the vendor from the vendor-calls queue, and no other', async () => {
    const { activities, starts } = recordingStarts(mockActivities().activities);
    await withTestWorker(
      async ({ taskQueue }) => {
        const handle = await startInstall(client, taskQueue, testInstallInput('routed', { reverifyEvery: '200 ms' }));
        await activate(handle);
        await waitUntil(
          () => installStatus(handle),
          (status) => status.role?.lastCheckedAt !== undefined,
        );
        await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
        expect((await handle.result()).phase).toBe('deprovisioned');

        const vendorQueue = vendorCallsTaskQueue(taskQueue);
        const misrouted = starts.filter(
          ({ name, taskQueue: polledFrom }) => polledFrom !== (callsAwsAsVendor(name) ? vendorQueue : taskQueue),
        );
        expect(misrouted).toEqual([]);
        const onVendorQueue = new Set(starts.filter((start) => start.taskQueue === vendorQueue).map((s) => s.name));
        // Onboarding, re-verification, the first-report watch (a child workflow) and teardown alike.
        for (const name of [
          'verifyRoleAccess',
          'probeRoleWithoutExternalId',
          'inspectSandboxStack',
          'deleteSandboxStack',
        ]) {
          expect(onVendorQueue).toContain(name);
        }
        expect(onVendorQueue).toContain('findReportManifest');
        expect(starts.find((start) => start.name === 'prepareOnboarding')?.taskQueue).toBe(taskQueue);
      },
      { activityOverrides: activities },
    );
  });

  it('holds the vendor calls of installs re-verified far faster than the ceiling to it, across two workers', async () => {
    const ceiling = 5;
    const { activities, starts } = recordingStarts(mockActivities().activities);
    const taskQueue = `ceiling-${randomUUID()}`;
    const workers = [
      await createTestWorker({ taskQueue, activityOverrides: activities, vendorCallsPerSecond: ceiling }),
      await createTestWorker({ taskQueue, activityOverrides: activities, vendorCallsPerSecond: ceiling }),
    ];
    const vendorStarts = () => starts.filter((start) => start.taskQueue !== taskQueue).map((start) => start.at);
    try {
      await workers[0]!.worker.runUntil(() =>
        workers[1]!.worker.runUntil(async () => {
          // Three installs re-verified every 200 ms ask for about 90 vendor calls a second.
          const handles = await Promise.all(
            ['a', 'b', 'c'].map((label) =>
              startInstall(client, taskQueue, testInstallInput(`ceiling-${label}`, { reverifyEvery: '200 ms' })),
            ),
          );
          await Promise.all(handles.map(activate));
          await waitUntil(
            async () => vendorStarts().length,
            (count) => count >= 60,
            60_000,
          );
          await Promise.all(handles.map((handle) => handle.terminate('test done')));
        }),
      );
    } finally {
      await Promise.all(workers.map((worker) => worker.connection.close()));
    }

    const times = vendorStarts().sort((a, b) => a - b);
    // The server's limiter is a token bucket holding about a second's worth (split over the queue's partitions), and
    // each worker keeps a few polls open: so no one-second window may hold more than twice the ceiling and those.
    let busiestSecond = 0;
    for (let first = 0, last = 0; last < times.length; last++) {
      while (times[last]! - times[first]! >= 1_000) first++;
      busiestSecond = Math.max(busiestSecond, last - first + 1);
    }
    expect(busiestSecond).toBeLessThanOrEqual(2 * ceiling + 10);
    // Over the whole run, the bucket's one second's worth spread thin: without the ceiling this machine starts 15+ a
    // second here.
    const seconds = (times.at(-1)! - times[0]!) / 1_000;
    expect(times.length / seconds).toBeLessThanOrEqual(ceiling * 1.3);
  });
});
