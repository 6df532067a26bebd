import {
  CreateStackCommand,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  DescribeStackSetCommand,
  ListStackInstancesCommand,
} from '@aws-sdk/client-cloudformation';
import { randomUUID } from 'node:crypto';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { customerClients } from '../customer-account';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { customerAccount, stack } from '../helpers';
import {
  createMemberAccount,
  managementClients,
  memberIam,
  memberRoleExists,
  moveAccount,
  ouWithAccounts,
} from '../organization';

/**
 * The local AWS endpoint (moto with devstack/moto_server.py's fixes 5 and 6) runs service-managed StackSets and
 * member accounts as AWS documents:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-manage-auto-deployment.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStackInstances.html
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_create-cross-account-role.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html (fix 7)
 * https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-test-contract.html (fix 8)
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage_delete.html (fix 9)
 */
const { cloudFormation } = managementClients;
const roleName = 'stack-set-fidelity-role';
const template = JSON.stringify({
  Resources: {
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: roleName,
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
      },
    },
  },
});

async function serviceManagedStackSet(ouId: string, retainStacksOnAccountRemoval = false): Promise<string> {
  const name = `fidelity-${randomUUID().slice(0, 8)}`;
  await cloudFormation.send(
    new CreateStackSetCommand({
      StackSetName: name,
      TemplateBody: template,
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: retainStacksOnAccountRemoval },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    }),
  );
  await cloudFormation.send(
    new CreateStackInstancesCommand({
      StackSetName: name,
      DeploymentTargets: { OrganizationalUnitIds: [ouId] },
      Regions: ['us-east-1'],
    }),
  );
  return name;
}

async function instanceAccounts(stackSetName: string): Promise<string[]> {
  const listed = await cloudFormation.send(new ListStackInstancesCommand({ StackSetName: stackSetName }));
  return (listed.Summaries ?? []).map((summary) => summary.Account!).sort();
}

describe('the local AWS endpoint runs service-managed StackSets as AWS does', () => {
  it('keeps AutoDeployment and answers it in DescribeStackSet', async () => {
    const { ouId } = await ouWithAccounts('keep', 0);
    const name = await serviceManagedStackSet(ouId);
    const described = await cloudFormation.send(new DescribeStackSetCommand({ StackSetName: name }));
    expect(described.StackSet?.AutoDeployment).toEqual({ Enabled: true, RetainStacksOnAccountRemoval: false });
  });

  it('deploys to an account that joins a target OU and removes the stack (its role) from one that leaves', async () => {
    const { root, ouId, accounts } = await ouWithAccounts('follow', 2);
    const name = await serviceManagedStackSet(ouId);
    expect(await instanceAccounts(name)).toEqual([...accounts].sort());
    expect(await memberRoleExists(accounts[0]!, roleName)).toBe(true);

    const joiner = await createMemberAccount(root);
    expect(await memberRoleExists(joiner, roleName)).toBe(false);
    await moveAccount(joiner, root, ouId);
    expect(await instanceAccounts(name)).toEqual([...accounts, joiner].sort());
    expect(await memberRoleExists(joiner, roleName)).toBe(true);

    await moveAccount(accounts[0]!, ouId, root);
    expect(await instanceAccounts(name)).toEqual([accounts[1]!, joiner].sort());
    expect(await memberRoleExists(accounts[0]!, roleName)).toBe(false);
  });

  it('keeps the stack of a leaving account when RetainStacksOnAccountRemoval is true, dropping only the instance', async () => {
    const { root, ouId, accounts } = await ouWithAccounts('retain', 1);
    const name = await serviceManagedStackSet(ouId, true);
    await moveAccount(accounts[0]!, ouId, root);
    expect(await instanceAccounts(name)).toEqual([]);
    expect(await memberRoleExists(accounts[0]!, roleName)).toBe(true);
  });

  it('deletes the instances of the OUs DeleteStackInstances names, so the StackSet can be deleted', async () => {
    const { ouId, accounts } = await ouWithAccounts('delete', 2);
    const name = await serviceManagedStackSet(ouId);
    await cloudFormation.send(
      new DeleteStackInstancesCommand({
        StackSetName: name,
        DeploymentTargets: { OrganizationalUnitIds: [ouId] },
        Regions: ['us-east-1'],
        RetainStacks: false,
      }),
    );
    expect(await instanceAccounts(name)).toEqual([]);
    for (const account of accounts) expect(await memberRoleExists(account, roleName)).toBe(false);
    await cloudFormation.send(new DeleteStackSetCommand({ StackSetName: name }));
    await expect(cloudFormation.send(new DescribeStackSetCommand({ StackSetName: name }))).rejects.toThrow();
  });

  it("gives the management account administrator access in a new member account's OrganizationAccountAccessRole", async () => {
    const { accounts } = await ouWithAccounts('admin', 1);
    const iam = await memberIam(accounts[0]!);
    const inline = await iam.send(new ListRolePoliciesCommand({ RoleName: 'OrganizationAccountAccessRole' }));
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'OrganizationAccountAccessRole' }));
    expect([...(inline.PolicyNames ?? []), ...(attached.AttachedPolicies ?? []).map((p) => p.PolicyName)]).toContain(
      'AdministratorAccess',
    );
  });

  it('answers GetRolePolicy with JSON for a role a CloudFormation stack made with inline policies', async () => {
    const { cloudFormation, iam } = customerClients();
    const name = `inline-${randomUUID().slice(0, 8)}`;
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] };
    await cloudFormation.send(
      new CreateStackCommand({
        StackName: name,
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        TemplateBody: JSON.stringify({
          Resources: {
            Role: {
              Type: 'AWS::IAM::Role',
              Properties: {
                RoleName: name,
                AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
                Policies: [{ PolicyName: 'inline', PolicyDocument: policy }],
              },
            },
          },
        }),
      }),
    );
    const answered = await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: 'inline' }));
    expect(JSON.parse(decodeURIComponent(answered.PolicyDocument!))).toEqual(policy);
  });

  it('deletes the stack instance of an account whose role was already deleted outside CloudFormation', async () => {
    const { ouId, accounts } = await ouWithAccounts('gone', 1);
    const name = await serviceManagedStackSet(ouId);
    await (await memberIam(accounts[0]!)).send(new DeleteRoleCommand({ RoleName: roleName }));
    await cloudFormation.send(
      new DeleteStackInstancesCommand({
        StackSetName: name,
        DeploymentTargets: { OrganizationalUnitIds: [ouId] },
        Regions: ['us-east-1'],
        RetainStacks: false,
      }),
    );
    expect(await instanceAccounts(name)).toEqual([]);
  });

  it("refuses a deleted role's live session with AccessDenied, not a server error", async () => {
    const { iam } = customerClients();
    const name = `gone-session-${randomUUID().slice(0, 8)}`;
    await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: customerAccount.accountId }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: 'list',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }],
        }),
      }),
    );
    const session = await new STSClient({
      region: 'us-east-1',
      endpoint: stack.awsEndpoint,
      credentials: customerAccount.credentials,
    }).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${customerAccount.accountId}:role/${name}`,
        RoleSessionName: 'gone',
      }),
    );
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: stack.awsEndpoint,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: {
        accessKeyId: session.Credentials!.AccessKeyId!,
        secretAccessKey: session.Credentials!.SecretAccessKey!,
        sessionToken: session.Credentials!.SessionToken,
      },
    });
    await s3.send(new ListBucketsCommand({}));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: 'list' }));
    await iam.send(new DeleteRoleCommand({ RoleName: name }));
    await expect(s3.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
