import { randomUUID } from 'node:crypto';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  CreateOrganizationalUnitCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { otherAccount, stack } from './helpers';

/**
 * The customer's AWS Organization in the local stack: the second customer account is its management account (moto
 * keeps one organization per account, so every test file shares it and makes OUs and member accounts of its own).
 */
export const managementAccount = otherAccount;

const common = { region: 'us-east-1', endpoint: stack.awsEndpoint, credentials: managementAccount.credentials };
export const managementClients = {
  organizations: new OrganizationsClient(common),
  cloudFormation: new CloudFormationClient(common),
};

/** The organization's root id, creating the organization the first time. */
export async function organizationRoot(): Promise<string> {
  try {
    await managementClients.organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  } catch (error) {
    if ((error as Error).name !== 'AlreadyInOrganizationException') throw error;
  }
  const roots = await managementClients.organizations.send(new ListRootsCommand({}));
  return roots.Roots![0]!.Id!;
}

/** A new OU under the root holding `members` new accounts (moto creates accounts at once, with random ids). */
export async function ouWithAccounts(
  label: string,
  members: number,
): Promise<{ root: string; ouId: string; accounts: string[] }> {
  const root = await organizationRoot();
  const ou = await managementClients.organizations.send(
    new CreateOrganizationalUnitCommand({ ParentId: root, Name: `${label}-${randomUUID().slice(0, 8)}` }),
  );
  const ouId = ou.OrganizationalUnit!.Id!;
  const accounts: string[] = [];
  for (let index = 0; index < members; index += 1) accounts.push(await createMemberAccount(root, ouId));
  return { root, ouId, accounts };
}

export async function createMemberAccount(root: string, ouId?: string): Promise<string> {
  const name = `member-${randomUUID().slice(0, 8)}`;
  const created = await managementClients.organizations.send(
    new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
  );
  const accountId = created.CreateAccountStatus!.AccountId!;
  if (ouId) await moveAccount(accountId, root, ouId);
  return accountId;
}

export async function moveAccount(accountId: string, from: string, to: string): Promise<void> {
  await managementClients.organizations.send(
    new MoveAccountCommand({ AccountId: accountId, SourceParentId: from, DestinationParentId: to }),
  );
}

/**
 * Clients acting in a member account, as the organization's administrator does: through the
 * OrganizationAccountAccessRole that CreateAccount makes there (devstack/moto_server.py, 6).
 */
export async function memberClients(
  accountId: string,
): Promise<{ iam: IAMClient; cloudFormation: CloudFormationClient }> {
  const sts = new STSClient(common);
  const session = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'organization-admin',
    }),
  );
  const { AccessKeyId, SecretAccessKey, SessionToken } = session.Credentials!;
  const member = {
    ...common,
    credentials: { accessKeyId: AccessKeyId!, secretAccessKey: SecretAccessKey!, sessionToken: SessionToken },
  };
  return { iam: new IAMClient(member), cloudFormation: new CloudFormationClient(member) };
}

export async function memberIam(accountId: string): Promise<IAMClient> {
  return (await memberClients(accountId)).iam;
}

/** Whether the member account has a role of this name. */
export async function memberRoleExists(accountId: string, roleName: string): Promise<boolean> {
  try {
    await (await memberIam(accountId)).send(new GetRoleCommand({ RoleName: roleName }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'NoSuchEntityException' || (error as Error).name === 'NoSuchEntity') return false;
    throw error;
  }
}

/**
 * The customer's part of an organization install's kit: its management role template created as a stack in the
 * management account with the External ID as parameter. Returns the role's ARN (the stack's output).
 */
export async function createManagementRoleStack(
  stackName: string,
  kit: { managementRoleTemplate: unknown; externalId: string },
): Promise<string> {
  await managementClients.cloudFormation.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: JSON.stringify(kit.managementRoleTemplate),
      Parameters: [{ ParameterKey: 'ExternalId', ParameterValue: kit.externalId }],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    }),
  );
  const stack = await managementClients.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  return stack.Stacks![0]!.Outputs!.find((output) => output.OutputKey === 'RoleArn')!.OutputValue!;
}
