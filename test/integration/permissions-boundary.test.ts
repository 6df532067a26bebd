import { randomUUID } from 'node:crypto';
import { CreatePolicyCommand } from '@aws-sdk/client-iam';
import type { Client } from '@temporalio/client';
import type { PolicyDocument } from '../../domain/policy-document';
import { getStatusQuery, submitRoleArnUpdate } from '../../workflows/definitions';
import { customerClients } from '../customer-account';
import { closeTestClient, createCustomerRole, testClient, withTestWorker } from '../helpers';
import { onboardingArtifacts, startInstall, testInstallInput } from '../install-driver';

/**
 * The optional permissions boundary against the local stack. moto stores a role's boundary and returns it from
 * GetRole, but does not apply it when it authorizes calls; the preflight (activities/verify-role.ts) reads the
 * boundary policy and requires every needed action to be allowed there too, as IAM would.
 */
async function customerPolicy(document: PolicyDocument): Promise<string> {
  const created = await customerClients().iam.send(
    new CreatePolicyCommand({
      PolicyName: `boundary-${randomUUID().slice(0, 8)}`,
      Path: '/vendor/',
      PolicyDocument: JSON.stringify(document),
    }),
  );
  return created.Policy!.Arn!;
}

const allowsEverything: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

describe('permissions boundary', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(() => closeTestClient());

  it('verifies a role created from the kit with the boundary the install names', async () => {
    const boundary = await customerPolicy(allowsEverything);
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('boundary-ok', { permissionsBoundary: boundary });
      const handle = await startInstall(client, taskQueue, input);
      const artifacts = await onboardingArtifacts(handle, input);
      expect(artifacts.roleTemplate).toMatchObject({
        Resources: { InstallAccessRole: { Properties: { PermissionsBoundary: boundary } } },
      });
      const roleArn = await createCustomerRole(artifacts);
      expect(await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] })).toMatchObject({
        verified: true,
      });
      expect((await handle.query(getStatusQuery)).permissionsBoundary).toBe(boundary);
      await handle.terminate('test done');
    });
  });

  it('names each needed action the boundary does not allow, though the role policies do', async () => {
    const boundary = await customerPolicy({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', NotAction: ['cloudformation:*', 'sqs:DeleteQueue'], Resource: '*' }],
    });
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('boundary-narrow', { permissionsBoundary: boundary });
      const handle = await startInstall(client, taskQueue, input);
      const roleArn = await createCustomerRole(await onboardingArtifacts(handle, input));
      const outcome = await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
      expect(outcome).toMatchObject({ verified: false, error: { code: 'missing_permissions' } });
      const missing = (await handle.query(getStatusQuery)).role?.missingPermissions ?? [];
      const outside = ` (not allowed by the permissions boundary ${boundary})`;
      expect(missing.every((entry) => entry.endsWith(outside))).toBe(true);
      expect(new Set(missing.map((entry) => entry.split(' ')[0]))).toEqual(
        new Set([
          'cloudformation:CreateStack',
          'cloudformation:UpdateStack',
          'cloudformation:DescribeStacks',
          'cloudformation:DescribeStackEvents',
          'cloudformation:CreateChangeSet',
          'cloudformation:DescribeChangeSet',
          'cloudformation:ExecuteChangeSet',
          'cloudformation:DeleteStack',
          'sqs:DeleteQueue',
        ]),
      );
      await handle.terminate('test done');
    });
  });

  it('reports a role created without the boundary the install names', async () => {
    const boundary = await customerPolicy(allowsEverything);
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('boundary-unset', { permissionsBoundary: boundary });
      const handle = await startInstall(client, taskQueue, input);
      const roleArn = await createCustomerRole(await onboardingArtifacts(handle, input), { permissionsBoundary: '' });
      const outcome = await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
      expect(outcome).toMatchObject({ verified: false, error: { code: 'missing_permissions' } });
      expect((await handle.query(getStatusQuery)).role?.missingPermissions).toEqual([
        `the permissions boundary ${boundary} (the role has none)`,
      ]);
      await handle.terminate('test done');
    });
  });
});
