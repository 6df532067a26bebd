import { randomUUID } from 'node:crypto';
import { DescribeStackSetCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  memberInstallId,
  memberRoleName,
  memberStackSetName,
  renderManagementPolicy,
} from '../../domain/organization-install';
import { sandboxStackName } from '../../domain/install-names';
import { renderTrustPolicy } from '../../domain/trust-policy';
import {
  customerAccessQuery,
  getOrganizationStatusQuery,
  requestOrganizationDeprovisionUpdate,
  resyncOrganizationUpdate,
  submitManagementRoleArnUpdate,
  type OrganizationInstallInput,
  type OrganizationInstallStatus,
} from '../../workflows/definitions';
import { organizationInstallWorkflow } from '../../workflows';
import { customerClients } from '../customer-account';
import { scheduledActivityInputs } from '../support/history-scan';
import { customerAccessRef, roleFingerprint } from '../../domain/customer-access';
import { closeTestClient, testClient, waitUntil, withTestWorker } from '../helpers';
import { checkInRunner, installStatus } from '../install-driver';
import {
  createMemberAccount,
  managementAccount,
  managementClients,
  memberClients,
  memberRoleExists,
  moveAccount,
  ouWithAccounts,
} from '../organization';

type OrganizationHandle = WorkflowHandle<typeof organizationInstallWorkflow>;

const organizationStatus = (handle: OrganizationHandle) => handle.query(getOrganizationStatusQuery);

/** The customer's part in the management account: the management role, as the rendered template makes it. */
async function createManagementRole(status: OrganizationInstallStatus, trustExternalId = true): Promise<string> {
  const { iam } = customerClients(managementAccount);
  const onboarding = status.onboarding!;
  const trust = renderTrustPolicy(onboarding.vendorPrincipalArn, onboarding.externalId);
  if (!trustExternalId) delete (trust.Statement[0] as { Condition?: unknown }).Condition;
  const roleName = trustExternalId ? onboarding.managementRoleName : `${onboarding.managementRoleName}-open`;
  const role = await iam.send(
    new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: 'organization-install',
      PolicyDocument: JSON.stringify(renderManagementPolicy(status)),
    }),
  );
  return role.Role!.Arn!;
}

/** Checks in the runner of every member install that waits for one (the runner's part, as in single installs). */
async function checkInMembers(client: Client, status: OrganizationInstallStatus): Promise<void> {
  for (const row of status.accounts) {
    const handle = client.workflow.getHandle(row.installId);
    const member = await waitUntil(
      () => installStatus(handle),
      (s) => s.phase === 'handing_off' || s.phase === 'active' || s.phase === 'awaiting_role',
    );
    if (member.phase === 'handing_off') await checkInRunner(handle, row.installId);
  }
}

function untilMembers(handle: OrganizationHandle, done: (status: OrganizationInstallStatus) => boolean) {
  return waitUntil(() => organizationStatus(handle), done, 90_000);
}

async function deleteMemberRole(accountId: string, roleName: string): Promise<void> {
  const { iam } = await memberClients(accountId);
  for (const policy of ['provision', 'deprovision']) {
    await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policy }));
  }
  await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
}

async function liveStack(accountId: string, stackName: string): Promise<boolean> {
  const { cloudFormation } = await memberClients(accountId);
  try {
    const described = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return described.Stacks?.some((stack) => stack.StackStatus !== 'DELETE_COMPLETE') ?? false;
  } catch (error) {
    if ((error as Error).message.includes('does not exist')) return false;
    throw error;
  }
}

describe('organization installs against the Temporal dev server and moto with Organizations and StackSets', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(() => closeTestClient());

  it('keeps one install per member account as accounts join and leave, isolates a broken one, and deprovisioning leaves no member role, sandbox stack or StackSet', async () => {
    await withTestWorker(async ({ taskQueue }) => {
      const { root, ouId, accounts } = await ouWithAccounts('org', 3);
      const input: OrganizationInstallInput = {
        organizationInstallId: `org-${randomUUID().slice(0, 8)}`,
        orgId: 'org-test',
        managementAccountId: managementAccount.accountId,
        region: 'us-east-1',
        organizationalUnitIds: [ouId],
        memberPollInterval: '1 second',
        memberSettings: {
          timeouts: { rolePropagation: '3 seconds', runnerCheckIn: '60 seconds', roleSubmission: '5 minutes' },
        },
      };
      const handle = await client.workflow.start(organizationInstallWorkflow, {
        workflowId: input.organizationInstallId,
        taskQueue,
        args: [input],
      });
      const waiting = await waitUntil(
        () => organizationStatus(handle),
        (s) => s.onboarding !== undefined,
      );
      expect(waiting.phase).toBe('awaiting_management_role');

      // A role the vendor can assume without the External ID is refused; the install keeps waiting.
      const open = await createManagementRole(waiting, false);
      const refused = await handle.executeUpdate(submitManagementRoleArnUpdate, { args: [{ roleArn: open }] });
      expect(refused).toMatchObject({
        verified: false,
        phase: 'awaiting_management_role',
        error: { code: 'management_role_without_external_id' },
      });

      const roleArn = await createManagementRole(waiting);
      const verified = await handle.executeUpdate(submitManagementRoleArnUpdate, { args: [{ roleArn }] });
      expect(verified).toMatchObject({ verified: true });
      // What a worker holding no session asks for an activity's reference: the management role, and nothing for
      // the role that was refused.
      const ref = customerAccessRef({
        installId: input.organizationInstallId,
        roleArn,
        externalId: waiting.onboarding!.externalId,
        region: input.region,
      });
      expect(await handle.query(customerAccessQuery, ref)).toEqual({
        installId: input.organizationInstallId,
        roleArn,
        externalId: waiting.onboarding!.externalId,
        region: input.region,
      });
      expect(await handle.query(customerAccessQuery, { ...ref, role: roleFingerprint(open) })).toBeUndefined();

      // Three accounts in the OU: three member installs, each with the role the StackSet made there.
      const started = await untilMembers(handle, (s) => s.accounts.length === 3);
      expect(started.accounts.map((row) => row.accountId)).toEqual([...accounts].sort());
      for (const account of accounts)
        expect(await memberRoleExists(account, memberRoleName(input.organizationInstallId))).toBe(true);
      await checkInMembers(client, started);
      const active = await untilMembers(handle, (s) => s.summary.active === 3 && s.phase === 'active');
      expect(active.accounts.map((row) => row.installId)).toEqual(
        [...accounts].sort().map((account) => memberInstallId(input.organizationInstallId, account)),
      );

      // An account joins the OU: AutoDeployment gives it the role, the re-sync gives it an install.
      const joiner = await createMemberAccount(root, ouId);
      const afterJoin = await handle.executeUpdate(resyncOrganizationUpdate);
      expect(afterJoin.accounts.map((row) => row.accountId)).toContain(joiner);
      await checkInMembers(client, afterJoin);
      await untilMembers(handle, (s) => s.summary.active === 4);

      // An account whose member role was deleted fails alone: the others stay active, the org shows degraded.
      const broken = await createMemberAccount(root, ouId);
      await deleteMemberRole(broken, memberRoleName(input.organizationInstallId));
      await handle.executeUpdate(resyncOrganizationUpdate);
      const degraded = await untilMembers(handle, (s) => s.summary.failing === 1);
      expect(degraded.phase).toBe('degraded');
      expect(degraded.summary).toMatchObject({ members: 5, active: 4, failing: 1 });
      const brokenRow = degraded.accounts.find((row) => row.accountId === broken);
      expect(brokenRow).toMatchObject({ phase: 'awaiting_role', errorCode: 'role_not_assumable' });

      // An account leaves the OU: its install is deprovisioned and its row goes.
      const leaver = accounts[0]!;
      await moveAccount(leaver, ouId, root);
      await handle.executeUpdate(resyncOrganizationUpdate);
      const afterLeave = await untilMembers(handle, (s) => !s.accounts.some((row) => row.accountId === leaver));
      expect(afterLeave.summary.members).toBe(4);
      const left = await installStatus(client.workflow.getHandle(memberInstallId(input.organizationInstallId, leaver)));
      expect(left.phase).toBe('deprovisioned');
      // AutoDeployment removed its role when it left, so its teardown could not reach it: listed, not hidden (README).
      expect(left.deprovision?.leftovers.map((leftover) => leftover.reason)).toEqual(
        expect.arrayContaining([expect.stringContaining('AccessDenied')]),
      );

      // Deprovisioning: every member install, then the StackSet; no role, stack or StackSet remains.
      await handle.executeUpdate(requestOrganizationDeprovisionUpdate, { args: [{ reason: 'test' }] });
      const result = await handle.result();
      expect(result.phase).toBe('deprovisioned');
      // The External ID went only to the checks that prove the management role; the StackSet, the listings and the
      // removal got a reference, and the workers asked the organization install for the rest.
      const inputs = scheduledActivityInputs(await handle.fetchHistory());
      const carrying = inputs.filter(({ input }) => input.includes(waiting.onboarding!.externalId));
      expect([...new Set(carrying.map(({ activity }) => activity))]).toEqual(['verifyManagementRole']);
      expect(inputs.map(({ activity }) => activity)).toEqual(
        expect.arrayContaining(['deployMemberStackSet', 'listOrganizationMembers', 'removeMemberStackSet']),
      );
      const members = [...accounts.slice(1), joiner, broken];
      for (const account of members) {
        const member = await installStatus(
          client.workflow.getHandle(memberInstallId(input.organizationInstallId, account)),
        );
        expect(member.phase).toBe('deprovisioned');
        expect(await memberRoleExists(account, memberRoleName(input.organizationInstallId))).toBe(false);
        expect(await liveStack(account, sandboxStackName(memberInstallId(input.organizationInstallId, account)))).toBe(
          false,
        );
      }
      await expect(
        managementClients.cloudFormation.send(
          new DescribeStackSetCommand({ StackSetName: memberStackSetName(input.organizationInstallId) }),
        ),
      ).rejects.toThrow();
    });
    // Its waits allow 90 s each (members deploying, checking in, leaving): more than jest's default 120 s in all.
  }, 300_000);
});
