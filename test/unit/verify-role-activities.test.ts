import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ApplicationFailure } from '@temporalio/common';
import { mockClient } from 'aws-sdk-client-mock';
import type { ActivityDeps } from '../../activities/deps';
import { createVerifyRoleActivities } from '../../activities/verify-role';
import { renderTrustPolicy } from '../../domain/trust-policy';
import { awsError, fakeSessions, quietActivityEnvironment, testAccess } from './aws-fakes';

const vendor = 'arn:aws:iam::123456789012:user/vendor';
const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);

function activities() {
  const deps = {
    aws: { vendorSts: () => new STSClient({ region: 'us-east-1' }) },
    sessions: fakeSessions({ iam: new IAMClient({ region: 'us-east-1' }) }),
    vendor: { principalArn: vendor },
    randomBytes: (size: number) => new Uint8Array(size).fill(0xab),
  } as unknown as ActivityDeps;
  return createVerifyRoleActivities(deps);
}

/** checkRoleTrustPolicy's findings for the mocked role. */
async function findingCodes(): Promise<string[]> {
  const { findings } = (await quietActivityEnvironment().run(activities().checkRoleTrustPolicy, {
    access: testAccess,
  })) as Awaited<ReturnType<ReturnType<typeof activities>['checkRoleTrustPolicy']>>;
  return findings.map((finding) => finding.code);
}

/** GetRole answering with the trust policy URL-encoded, as IAM sends it. */
function roleWithTrustPolicy(policy: unknown) {
  iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: 'r',
      Arn: testAccess.roleArn,
      Path: '/',
      RoleId: 'AROAEXAMPLE',
      CreateDate: new Date(),
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(policy)),
    },
  });
}

beforeEach(() => {
  sts.reset();
  iam.reset();
});

describe('probeRoleWithWrongExternalId', () => {
  it('asks with a random External ID made in the activity, never the install’s', async () => {
    sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied', 'not authorized', 403));
    const result = await quietActivityEnvironment().run(activities().probeRoleWithWrongExternalId, {
      access: testAccess,
    });
    expect(result).toEqual({ withWrongExternalId: 'refused' });
    const sent = sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
    expect(sent.ExternalId).toBe('ab'.repeat(24));
    expect(sent.ExternalId).not.toBe(testAccess.externalId);
    expect(sent.RoleArn).toBe(testAccess.roleArn);
  });

  it('reports allowed when AWS lets the wrong External ID in', async () => {
    sts.on(AssumeRoleCommand).resolves({});
    await expect(
      quietActivityEnvironment().run(activities().probeRoleWithWrongExternalId, { access: testAccess }),
    ).resolves.toEqual({ withWrongExternalId: 'allowed' });
  });

  it("fails permanently on an error that is not the role's refusal, and leaves throttling to Temporal's retries", async () => {
    sts.on(AssumeRoleCommand).rejects(awsError('InvalidClientTokenId', 'The security token is invalid.', 403));
    const permanent = await quietActivityEnvironment()
      .run(activities().probeRoleWithWrongExternalId, { access: testAccess })
      .catch((e: unknown) => e);
    expect(permanent).toBeInstanceOf(ApplicationFailure);
    expect(permanent).toMatchObject({ type: 'InvalidClientTokenId', nonRetryable: true });

    sts.on(AssumeRoleCommand).rejects(awsError('Throttling', 'Rate exceeded', 400));
    const transient = await quietActivityEnvironment()
      .run(activities().probeRoleWithWrongExternalId, { access: testAccess })
      .catch((e: unknown) => e);
    expect(transient).not.toBeInstanceOf(ApplicationFailure);
    expect((transient as Error).name).toBe('Throttling');
  });
});

describe('checkRoleTrustPolicy', () => {
  it('decodes the URL-encoded trust policy and finds nothing wrong with the rendered one', async () => {
    roleWithTrustPolicy(renderTrustPolicy(vendor, testAccess.externalId));
    await expect(
      quietActivityEnvironment().run(activities().checkRoleTrustPolicy, { access: testAccess }),
    ).resolves.toEqual({ findings: [] });
    expect(iam.commandCalls(GetRoleCommand)[0]!.args[0].input).toEqual({ RoleName: 'r' });
  });

  it('reports what the trust policy admits beyond the vendor', async () => {
    const policy = renderTrustPolicy(vendor, testAccess.externalId);
    policy.Statement[0]!.Principal = { AWS: '*' };
    roleWithTrustPolicy(policy);
    expect(await findingCodes()).toEqual(['trust_policy_allows_anyone']);
  });

  it('reports a trust policy the role may not read as a finding, not a failure', async () => {
    iam.on(GetRoleCommand).rejects(awsError('AccessDenied', 'not authorized to perform: iam:GetRole', 403));
    await expect(
      quietActivityEnvironment().run(activities().checkRoleTrustPolicy, { access: testAccess }),
    ).resolves.toEqual({
      findings: [{ code: 'trust_policy_unreadable', statement: '', problem: 'iam:GetRole was refused (AccessDenied)' }],
    });
  });

  it('fails permanently with AWS’s code when the role is gone', async () => {
    iam.on(GetRoleCommand).rejects(awsError('NoSuchEntity', 'The role with name r cannot be found.', 404));
    const failure = await quietActivityEnvironment()
      .run(activities().checkRoleTrustPolicy, { access: testAccess })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'NoSuchEntity', nonRetryable: true });
    expect((failure as ApplicationFailure).details?.[0]).toMatchObject({ operation: 'iam:GetRole' });
  });

  it('refuses as unverifiable a document that is not URL-encoded JSON', async () => {
    iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName: 'r',
        Arn: testAccess.roleArn,
        Path: '/',
        RoleId: 'x',
        CreateDate: new Date(),
        AssumeRolePolicyDocument: '%E0%A4%A',
      },
    });
    expect(await findingCodes()).toEqual(['trust_policy_unverifiable']);
  });
});
