import {
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  DescribeStackSetOperationCommand,
  type CloudFormationClient,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeOrganizationCommand,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { roleSessionName } from '../domain/install-names';
import { Context, sleep } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CustomerAccess, CustomerAccessInput } from '../domain/customer-access';
import { memberRoleTemplateBody, memberStackSetName, organizationInstallBounds } from '../domain/organization-install';
import { accessDeniedCodes } from './aws/customer-session';
import { awsErrorCode, callAws, rethrowAwsError } from './aws/errors';
import type { ActivityDeps } from './deps';

/** The management role's verification: a refusal is the customer's to fix, returned, not thrown. */
export type ManagementRoleCheck =
  | { verified: true; assumedRoleArn: string; organizationId: string }
  | { verified: false; code: string; message: string };

export interface MemberPhase {
  installId: string;
  /** The member install's phase, or `missing` when no such workflow exists. */
  phase: string;
  errorCode?: string;
}

async function waitForOperation(cloudFormation: CloudFormationClient, stackSetName: string, operationId: string) {
  for (let polls = 0; ; polls += 1) {
    const described = await callAws('cloudformation:DescribeStackSetOperation', () =>
      cloudFormation.send(
        new DescribeStackSetOperationCommand({ StackSetName: stackSetName, OperationId: operationId }),
      ),
    );
    const status = described.StackSetOperation?.Status;
    if (status === 'SUCCEEDED') return;
    if (status === 'FAILED' || status === 'STOPPED') {
      throw ApplicationFailure.nonRetryable(
        `StackSet ${stackSetName} operation ${operationId} ended ${status}`,
        'StackSetOperationFailed',
        { operationId, status },
      );
    }
    Context.current().heartbeat({ polls });
    await sleep(1000);
  }
}

export function createOrganizationActivities(deps: ActivityDeps) {
  /**
   * The management account's clients and the whole access: after verification the organization install sends a
   * reference (no External ID in its history), and answers the rest to a worker that holds no session.
   */
  const management = async (ref: CustomerAccessInput) => {
    const access = await deps.sessions.resolve(ref);
    return { access, ...(await deps.sessions.clients(access)) };
  };
  return {
    /**
     * The management role admits the vendor with the organization's External ID and refuses it without, and its
     * account is the organization's management account (only there do service-managed StackSets run).
     */
    async verifyManagementRole(input: {
      access: CustomerAccess;
      managementAccountId: string;
    }): Promise<ManagementRoleCheck> {
      const { access } = input;
      let clients;
      try {
        const credentials = await deps.sessions.assumeRole(access);
        clients = deps.sessions.remember(access, credentials);
      } catch (error) {
        const code = awsErrorCode(error);
        if (code && accessDeniedCodes.has(code)) {
          return {
            verified: false,
            code: 'management_role_refused',
            message: `The vendor could not assume ${access.roleArn} with the External ID: ${code}.`,
          };
        }
        rethrowAwsError(error, 'sts:AssumeRole');
      }
      try {
        await deps.aws.vendorSts().send(
          new AssumeRoleCommand({
            RoleArn: access.roleArn,
            RoleSessionName: roleSessionName(access.installId, 'probe'),
          }),
        );
        return {
          verified: false,
          code: 'management_role_without_external_id',
          message: `${access.roleArn} lets the vendor in without the External ID; add the sts:ExternalId condition.`,
        };
      } catch (error) {
        const code = awsErrorCode(error);
        if (!code || !accessDeniedCodes.has(code)) rethrowAwsError(error, 'sts:AssumeRole');
      }
      const identity = await callAws('sts:GetCallerIdentity', () => clients.sts.send(new GetCallerIdentityCommand({})));
      const organization = await callAws('organizations:DescribeOrganization', () =>
        clients.organizations.send(new DescribeOrganizationCommand({})),
      ).catch((error: unknown) => error as Error);
      if (organization instanceof Error || organization.Organization?.MasterAccountId !== input.managementAccountId) {
        return {
          verified: false,
          code: 'not_management_account',
          message: `Account ${input.managementAccountId} is not the management account of an organization the role can read.`,
        };
      }
      return { verified: true, assumedRoleArn: identity.Arn ?? '', organizationId: organization.Organization.Id ?? '' };
    },

    /** Creates the members' StackSet (service-managed, AutoDeployment) and deploys it to the OUs; idempotent. */
    async deployMemberStackSet(input: {
      access: CustomerAccessInput;
      organizationInstallId: string;
      organizationalUnitIds: string[];
      failureTolerancePercentage: number;
    }): Promise<{ stackSetName: string }> {
      const { access, cloudFormation } = await management(input.access);
      const stackSetName = memberStackSetName(input.organizationInstallId);
      const parameters = [{ ParameterKey: 'ExternalId', ParameterValue: access.externalId }];
      await callAws('cloudformation:CreateStackSet', () =>
        cloudFormation.send(
          new CreateStackSetCommand({
            StackSetName: stackSetName,
            TemplateBody: memberRoleTemplateBody({
              organizationInstallId: input.organizationInstallId,
              region: access.region,
              vendorPrincipalArn: deps.vendor.principalArn,
            }),
            PermissionModel: 'SERVICE_MANAGED',
            // An account that joins the OUs gets the role; one that leaves loses it, leaving nothing behind.
            AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
            Capabilities: ['CAPABILITY_NAMED_IAM'],
            Parameters: parameters,
          }),
        ),
      ).catch((error: unknown) => {
        if (awsErrorCode(error) !== 'NameAlreadyExistsException') throw error;
      });
      const created = await callAws('cloudformation:CreateStackInstances', () =>
        cloudFormation.send(
          new CreateStackInstancesCommand({
            StackSetName: stackSetName,
            DeploymentTargets: { OrganizationalUnitIds: input.organizationalUnitIds },
            Regions: [access.region],
            OperationPreferences: { FailureTolerancePercentage: input.failureTolerancePercentage },
          }),
        ),
      );
      await waitForOperation(cloudFormation, stackSetName, created.OperationId!);
      return { stackSetName };
    },

    /** The active accounts in the OUs and the OUs below them, bounded; more than `maxAccounts` is refused. */
    async listOrganizationMembers(input: {
      access: CustomerAccessInput;
      organizationalUnitIds: string[];
      maxAccounts: number;
    }): Promise<{ accountIds: string[] }> {
      const { organizations } = await management(input.access);
      const ous = await organizationalUnitsBelow(organizations, input.organizationalUnitIds);
      const accounts = new Set<string>();
      for (const parentId of ous) {
        for await (const page of paginateListAccountsForParent({ client: organizations }, { ParentId: parentId })) {
          for (const account of page.Accounts ?? []) {
            if (account.Id && (account.Status ?? 'ACTIVE') === 'ACTIVE') accounts.add(account.Id);
          }
          if (accounts.size > input.maxAccounts) {
            throw ApplicationFailure.nonRetryable(
              `The OUs hold more than ${input.maxAccounts} accounts; choose fewer OUs or raise the limit.`,
              'TooManyMemberAccounts',
              { maxAccounts: input.maxAccounts },
            );
          }
        }
      }
      return { accountIds: [...accounts].sort() };
    },

    /** Each member install's phase, asked of its workflow through the activity's Temporal client. */
    async readMemberPhases(input: { installIds: string[] }): Promise<MemberPhase[]> {
      const client = Context.current().client;
      const phases: MemberPhase[] = [];
      for (const installId of input.installIds.slice(0, organizationInstallBounds.maxAccounts)) {
        try {
          const status = await client.workflow
            .getHandle(installId)
            .query<{ phase: string; lastError?: { code: string } }>('getStatus');
          phases.push({ installId, phase: status.phase, errorCode: status.lastError?.code });
        } catch (error) {
          if ((error as Error).name !== 'WorkflowNotFoundError') throw error;
          phases.push({ installId, phase: 'missing' });
        }
      }
      return phases;
    },

    /** Deletes every stack instance of the members' StackSet (their roles with them), then the StackSet. */
    async removeMemberStackSet(input: {
      access: CustomerAccessInput;
      organizationInstallId: string;
      organizationalUnitIds: string[];
    }): Promise<void> {
      const { access, cloudFormation } = await management(input.access);
      const stackSetName = memberStackSetName(input.organizationInstallId);
      try {
        const deleted = await callAws('cloudformation:DeleteStackInstances', () =>
          cloudFormation.send(
            new DeleteStackInstancesCommand({
              StackSetName: stackSetName,
              DeploymentTargets: { OrganizationalUnitIds: input.organizationalUnitIds },
              Regions: [access.region],
              RetainStacks: false,
            }),
          ),
        );
        await waitForOperation(cloudFormation, stackSetName, deleted.OperationId!);
        await callAws('cloudformation:DeleteStackSet', () =>
          cloudFormation.send(new DeleteStackSetCommand({ StackSetName: stackSetName })),
        );
      } catch (error) {
        if (awsErrorCode(error) !== 'StackSetNotFoundException') throw error;
      }
    },
  };
}

async function organizationalUnitsBelow(organizations: OrganizationsClient, chosen: string[]): Promise<string[]> {
  const seen = new Set(chosen);
  const queue = [...chosen];
  while (queue.length > 0) {
    const parentId = queue.shift()!;
    for await (const page of paginateListOrganizationalUnitsForParent(
      { client: organizations },
      { ParentId: parentId },
    )) {
      for (const ou of page.OrganizationalUnits ?? []) {
        if (!ou.Id || seen.has(ou.Id)) continue;
        if (seen.size >= organizationInstallBounds.maxOrganizationalUnitsRead) {
          throw ApplicationFailure.nonRetryable(
            `The OUs hold more than ${organizationInstallBounds.maxOrganizationalUnitsRead} OUs below them.`,
            'TooManyOrganizationalUnits',
          );
        }
        seen.add(ou.Id);
        queue.push(ou.Id);
      }
    }
  }
  return [...seen];
}
