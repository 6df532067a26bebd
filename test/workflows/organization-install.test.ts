import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import {
  getOrganizationStatusQuery,
  requestOrganizationDeprovisionUpdate,
  submitManagementRoleArnUpdate,
  type OrganizationInstallInput,
  type OrganizationInstallStatus,
} from '../../workflows/definitions';
import { organizationInstallWorkflow } from '../../workflows';
import { workflowInterceptorModules } from '../../worker/install-worker';
import { memberInstallId } from '../../domain/organization-install';
import { waitUntil } from '../helpers';
import { quietBundlerLogger } from '../support/quiet-bundler-logger';
import { mockActivities } from './mock-activities';
import { useTimeSkippingEnvironment } from './time-skipping';

/**
 * The organization install's schedule and tolerance on the time-skipping server, with mocked activities: the
 * 6-hour re-sync runs in a second, and the members' phases are whatever the test says. Members are stand-ins
 * (./stand-in-members.ts) that wait until the test ends them.
 */
let workflowBundle: { code: string };
beforeAll(async () => {
  workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./stand-in-members'),
    workflowInterceptorModules,
    logger: quietBundlerLogger,
  });
});

/** Starts an organization install on the time-skipping server and submits its management role (mocked: verified). */
async function startVerified(
  client: Client,
  taskQueue: string,
  label: string,
  settings: Partial<OrganizationInstallInput> = {},
) {
  const input: OrganizationInstallInput = {
    organizationInstallId: `${label}-${randomUUID().slice(0, 8)}`,
    orgId: 'org-test',
    managementAccountId: '222222222222',
    region: 'us-east-1',
    organizationalUnitIds: ['r-abcd'],
    ...settings,
  };
  const handle = await client.workflow.start(organizationInstallWorkflow, {
    workflowId: input.organizationInstallId,
    taskQueue,
    args: [input],
  });
  const verified = await handle.executeUpdate(submitManagementRoleArnUpdate, {
    args: [{ roleArn: `arn:aws:iam::222222222222:role/install-${input.organizationInstallId}-management` }],
  });
  return { input, handle, verified };
}

/** The organization install's status, read by query until `done` holds (10 s at most). */
function statusWhen(
  handle: { query: (query: typeof getOrganizationStatusQuery) => Promise<OrganizationInstallStatus> },
  done: (status: OrganizationInstallStatus) => boolean,
): Promise<OrganizationInstallStatus> {
  return waitUntil(() => handle.query(getOrganizationStatusQuery), done, 60_000);
}

/**
 * Member installs are abandoned children and outlive the test's worker; ended here, or the time-skipping server
 * would wait on their workflow tasks before it skips time for the next test.
 */
async function endMembers(client: Client, organizationInstallId: string, accounts: string[]): Promise<void> {
  for (const account of accounts) {
    await client.workflow
      .getHandle(memberInstallId(organizationInstallId, account))
      .terminate('test done')
      .catch(() => undefined);
  }
}

describe('organization install workflow', () => {
  const timeSkipping = useTimeSkippingEnvironment();

  it('re-syncs every 6 hours by default, is degraded over the 10 % tolerance and active again below it', async () => {
    const members = ['100000000001', '100000000002'];
    const phases = new Map<string, string>();
    const { activities, calls } = mockActivities({
      listOrganizationMembers: async () => ({ accountIds: [...members] }),
      readMemberPhases: async ({ installIds }) =>
        installIds.map((installId) => ({ installId, phase: phases.get(installId) ?? 'active' })),
    });
    await timeSkipping.run(
      activities,
      async (client, taskQueue) => {
        const { input, handle, verified } = await startVerified(client, taskQueue, 'ts', {
          organizationalUnitIds: ['ou-abcd-12345678'],
          memberPollInterval: '1 hour',
        });
        expect(verified.verified).toBe(true);
        const until = (done: (s: OrganizationInstallStatus) => boolean) => statusWhen(handle, done);
        const first = await until((s) => s.summary.active === 2);
        expect(first).toMatchObject({ phase: 'active', resyncs: 1 });

        // A third account joins; nothing lists it until the re-sync, 6 hours after the first.
        members.push('100000000003');
        await timeSkipping.env.sleep('5 hours');
        expect((await handle.query(getOrganizationStatusQuery)).accounts).toHaveLength(2);
        await timeSkipping.env.sleep('90 minutes');
        const resynced = await until((s) => s.accounts.length === 3 && s.summary.active === 3);
        expect(resynced.resyncs).toBe(2);
        expect(Date.parse(resynced.nextResyncAt!) - Date.parse(resynced.lastResyncAt!)).toBe(6 * 3_600_000);

        // One failing member of three is 33 %, over 10 %: degraded, the other two untouched; recovered, active.
        const failing = memberInstallId(input.organizationInstallId, '100000000002');
        phases.set(failing, 'failed');
        await timeSkipping.env.sleep('61 minutes');
        const degraded = await until((s) => s.phase === 'degraded');
        expect(degraded.summary).toMatchObject({ members: 3, active: 2, failing: 1 });
        expect(degraded.accounts.find((row) => row.installId === failing)).toMatchObject({ errorCode: 'failed' });
        phases.delete(failing);
        await timeSkipping.env.sleep('61 minutes');
        await until((s) => s.phase === 'active' && s.summary.failing === 0);

        // Deprovisioning waits for every member install to end, then removes the StackSet.
        await handle.executeUpdate(requestOrganizationDeprovisionUpdate, { args: [{ reason: 'test' }] });
        for (const account of members)
          phases.set(memberInstallId(input.organizationInstallId, account), 'deprovisioned');
        expect((await handle.result()).phase).toBe('deprovisioned');
        expect(calls.filter((call) => call.name === 'removeMemberStackSet')).toHaveLength(1);
        expect(calls.filter((call) => call.name === 'listOrganizationMembers')).toHaveLength(2);
        await endMembers(client, input.organizationInstallId, members);
      },
      workflowBundle,
    );
  });

  it('stays active while the failing share is at the tolerance, not over it', async () => {
    const members = Array.from({ length: 10 }, (_, index) => `2000000000${String(index).padStart(2, '0')}`);
    const { activities } = mockActivities({
      listOrganizationMembers: async () => ({ accountIds: members }),
      readMemberPhases: async ({ installIds }) =>
        installIds.map((installId, index) => ({ installId, phase: index === 0 ? 'failed' : 'active' })),
    });
    await timeSkipping.run(
      activities,
      async (client, taskQueue) => {
        const { input, handle } = await startVerified(client, taskQueue, 'tol');
        const current = await statusWhen(handle, (s) => s.summary.members === 10);
        expect(current.summary).toMatchObject({ members: 10, failing: 1 });
        expect(current.phase).toBe('active');
        await handle.terminate('test done');
        await endMembers(client, input.organizationInstallId, members);
      },
      workflowBundle,
    );
  });
});

// A server of its own: after the tests above, its clock would not skip ahead reliably.
describe('organization install workflow history', () => {
  const timeSkipping = useTimeSkippingEnvironment();

  it('continues as new when its history grows, keeping the members table and leaving the member installs running', async () => {
    const members = ['300000000001', '300000000002'];
    const { activities, calls } = mockActivities({
      listOrganizationMembers: async () => ({ accountIds: members }),
    });
    await timeSkipping.run(
      activities,
      async (client, taskQueue) => {
        const { input, handle } = await startVerified(client, taskQueue, 'can', {
          memberPollInterval: '1 hour',
          historyEventLimit: 100,
        });
        const firstRun = (await handle.describe()).runId;
        await timeSkipping.env.sleep('14 hours');
        const described = await handle.describe();
        expect(described.runId).not.toBe(firstRun);
        expect(described.status.name).toBe('RUNNING');
        const carried = await handle.query(getOrganizationStatusQuery);
        expect(carried.accounts.map((row) => row.accountId)).toEqual(members);
        expect(carried.resyncs).toBeGreaterThanOrEqual(3);
        // Each member install was started once, by the first run; the later runs found them in the carried table.
        expect(calls.filter((call) => call.name === 'deployMemberStackSet')).toHaveLength(1);
        for (const account of members) {
          const member = await client.workflow
            .getHandle(memberInstallId(input.organizationInstallId, account))
            .describe();
          expect(member.runId).toBeDefined();
        }
        await handle.terminate('test done');
        await endMembers(client, input.organizationInstallId, members);
      },
      workflowBundle,
    );
  });
});
