import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { getStatusQuery, requestDeprovisionUpdate, submitRoleArnUpdate } from '../../workflows/definitions';
import { closeTestClient, withTestWorker, createCustomerRole, otherAccount, testClient, waitUntil } from '../helpers';
import {
  expectRoleRefused,
  onboardingArtifacts,
  startInstall,
  testInstallInput,
  waitForPhase,
} from '../install-driver';

describe('role verification against moto with IAM enforcement', () => {
  let client: Client;

  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(() => closeTestClient());

  it('refuses a role from another account synchronously, then verifies the corrected ARN', async () => {
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('wrong-account');
      const handle = await startInstall(client, taskQueue, input);
      const artifacts = await onboardingArtifacts(handle, input);
      const foreignArn = await createCustomerRole(artifacts, { account: otherAccount });

      const rejection = await handle
        .executeUpdate(submitRoleArnUpdate, { args: [{ roleArn: foreignArn }] })
        .catch((e: unknown) => e);
      expect(rejection).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(String((rejection as WorkflowUpdateFailedError).cause?.message)).toContain(
        `account ${otherAccount.accountId}`,
      );
      expect((await handle.query(getStatusQuery)).roleSubmissions).toBe(0);

      const roleArn = await createCustomerRole(artifacts);
      expect(await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] })).toMatchObject({
        verified: true,
      });
      const verified = await waitForPhase(handle, 'handing_off');
      expect(verified.role).toMatchObject({
        withoutExternalId: 'refused',
        withWrongExternalId: 'refused',
        trustPolicyFindings: [],
      });
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).leftovers).toEqual([]);
    });
  });

  it('keeps retrying a role that is not assumable yet and verifies it once it exists', async () => {
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('propagation', { timeouts: { rolePropagation: '30 seconds' } });
      const handle = await startInstall(client, taskQueue, input);
      const artifacts = await onboardingArtifacts(handle, input);
      const roleArn = `arn:aws:iam::${input.awsAccountId}:role/${artifacts.roleName}`;
      const outcome = handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });

      // Only after AWS has refused at least once does the role appear, as with IAM propagation.
      await waitUntil(
        async () => (await handle.describe()).raw.pendingActivities ?? [],
        (activities) =>
          activities.some(
            (activity) => activity.activityType?.name === 'verifyRoleAccess' && (activity.attempt ?? 0) >= 2,
          ),
      );
      await createCustomerRole(artifacts);
      expect(await outcome).toMatchObject({ verified: true });
      await handle.terminate('test done');
    });
  });

  it('sends the install back to awaiting_role when the trust policy does not require the External ID', async () => {
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('no-external-id');
      const handle = await startInstall(client, taskQueue, input);
      const artifacts = await onboardingArtifacts(handle, input);
      const openTrust = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: artifacts.vendorPrincipalArn }, Action: 'sts:AssumeRole' }],
      };
      const roleArn = await createCustomerRole(artifacts, { trustPolicy: openTrust });

      const status = await expectRoleRefused(handle, roleArn, 'external_id_not_enforced');
      expect(status.role?.withoutExternalId).toBe('allowed');
      expect(status.lastError?.code).toBe('external_id_not_enforced');
      expect(status.lastError?.fix).toContain('StringEquals sts:ExternalId');
      await handle.terminate('test done');
    });
  });

  it('refuses a trust policy that admits {"AWS": "*"} with our External ID, though AWS refuses the probes', async () => {
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('anyone-with-id');
      const handle = await startInstall(client, taskQueue, input);
      const artifacts = await onboardingArtifacts(handle, input);
      const anyoneWithId = {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AnyoneWithTheId',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': artifacts.externalId } },
          },
        ],
      };
      const roleArn = await createCustomerRole(artifacts, { trustPolicy: anyoneWithId });

      const status = await expectRoleRefused(handle, roleArn, 'trust_policy_allows_anyone');
      expect(status.lastError?.step).toBe('verify_role');
      expect(status.role).toMatchObject({ withoutExternalId: 'refused', withWrongExternalId: 'refused' });
      expect(status.role?.trustPolicyFindings).toEqual([
        { code: 'trust_policy_allows_anyone', statement: 'AnyoneWithTheId', problem: expect.stringContaining('"*"') },
      ]);
      expect(status.lastError?.message).toContain('AnyoneWithTheId');
      expect(status.lastError?.fix).toContain('vendor principal ARN');
      await handle.terminate('test done');
    });
  });

  it('refuses a trust policy that accepts a second External ID besides ours', async () => {
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('two-external-ids');
      const handle = await startInstall(client, taskQueue, input);
      const artifacts = await onboardingArtifacts(handle, input);
      const twoIds = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: artifacts.vendorPrincipalArn },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': [artifacts.externalId, 'another-customers-id'] } },
          },
        ],
      };
      const roleArn = await createCustomerRole(artifacts, { trustPolicy: twoIds });

      const status = await expectRoleRefused(handle, roleArn, 'external_id_not_pinned');
      expect(status.role?.trustPolicyFindings?.map((finding) => finding.code)).toEqual(['external_id_not_pinned']);
      expect(status.lastError?.fix).toContain('as the only value');
      await handle.terminate('test done');
    });
  });

  it.each<[string, (vendor: string, id: string) => Array<Record<string, unknown>>, string, 'refused' | 'allowed']>([
    [
      'the vendor and, in a second statement, another account',
      (vendor, id) => [
        {
          Effect: 'Allow',
          Principal: { AWS: vendor },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': id } },
        },
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'sts:AssumeRole' },
      ],
      'trust_policy_allows_other_principals',
      'refused',
    ],
    [
      "the vendor's account root with our External ID",
      (vendor, id) => [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${vendor.split(':')[4]!}:root` },
          Action: 'sts:*',
          Condition: { StringEquals: { 'sts:ExternalId': id } },
        },
      ],
      'trust_policy_allows_other_principals',
      'refused',
    ],
    [
      'the vendor with any External ID (StringLike "*")',
      (vendor) => [
        {
          Effect: 'Allow',
          Principal: { AWS: vendor },
          Action: 'sts:AssumeRole',
          Condition: { StringLike: { 'sts:ExternalId': '*' } },
        },
      ],
      'external_id_not_pinned',
      'allowed',
    ],
  ])('refuses a trust policy admitting %s', async (_shape, statements, code, withWrongExternalId) => {
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('trust-shape');
      const handle = await startInstall(client, taskQueue, input);
      const artifacts = await onboardingArtifacts(handle, input);
      const trustPolicy = {
        Version: '2012-10-17',
        Statement: statements(artifacts.vendorPrincipalArn, artifacts.externalId),
      };
      const roleArn = await createCustomerRole(artifacts, { trustPolicy });

      const outcome = await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
      expect(outcome).toMatchObject({ verified: false, phase: 'awaiting_role', error: { code } });
      const status = await waitForPhase(handle, 'awaiting_role');
      expect(status.role).toMatchObject({ withoutExternalId: 'refused', withWrongExternalId });
      expect(status.role?.trustPolicyFindings?.map((finding) => finding.code)).toContain(code);
      await handle.terminate('test done');
    });
  });

  it('names the missing actions of a role created without its permission policies', async () => {
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('no-policies');
      const handle = await startInstall(client, taskQueue, input);
      const artifacts = await onboardingArtifacts(handle, input);
      const roleArn = await createCustomerRole(artifacts, { withPolicies: false });

      const outcome = await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
      expect(outcome).toMatchObject({ verified: false, error: { code: 'missing_permissions' } });
      expect(outcome.error?.message).toContain('iam:ListRolePolicies');
      const status = await handle.query(getStatusQuery);
      expect(status.phase).toBe('awaiting_role');
      expect(status.role?.missingPermissions).toEqual(
        expect.arrayContaining([expect.stringMatching(/^iam:GetRole on /)]),
      );
      await handle.terminate('test done');
    });
  });
});
