import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CostAndUsageReportServiceClient,
  DeleteReportDefinitionCommand,
  DescribeReportDefinitionsCommand,
  PutReportDefinitionCommand,
  type ReportDefinition,
} from '@aws-sdk/client-cost-and-usage-report-service';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { ActivityDeps } from '../activities/deps';
import { createActivityDeps } from '../worker/activity-deps';

const vendorPrincipalArn = 'arn:aws:iam::123456789012:role/vendor';

function awsError(name: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}

/**
 * In-process AWS that answers at once, with just enough state (stacks, buckets, reports) for the real activities to
 * run their happy path. Every SDK call is counted by operation: "AWS calls per install".
 */
export function installZeroLatencyAws(accountId: string) {
  const calls = new Map<string, number>();
  const count = (operation: string) => calls.set(operation, (calls.get(operation) ?? 0) + 1);
  const stacks = new Map<string, string>();
  const buckets = new Map<string, { tags: Array<{ Key: string; Value: string }>; policy?: string }>();
  const reports = new Map<string, ReportDefinition>();
  const adminPolicy = encodeURIComponent(
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
  );

  const sts = mockClient(STSClient);
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string; ExternalId?: string; RoleSessionName: string }) => {
    count('sts:AssumeRole');
    // A role set up as the kit says: refused without the External ID and with a wrong one (the install's probes).
    if (!input.ExternalId || input.RoleSessionName.endsWith('-probe')) {
      throw awsError('AccessDenied', 'not authorized to perform: sts:AssumeRole', 403);
    }
    const roleName = input.RoleArn.split('/').pop();
    return {
      Credentials: {
        // Carries the External ID, so GetRole can answer with the trust policy of this install's role.
        AccessKeyId: `ASIA${input.ExternalId}`,
        SecretAccessKey: 'zero-latency',
        SessionToken: 'zero-latency',
        Expiration: new Date(Date.now() + 3_600_000),
      },
      AssumedRoleUser: {
        Arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${input.RoleSessionName}`,
        AssumedRoleId: 'AROA',
      },
    };
  });
  sts.on(GetCallerIdentityCommand).callsFake(async function (this: unknown) {
    count('sts:GetCallerIdentity');
    return { Account: accountId, Arn: `arn:aws:sts::${accountId}:assumed-role/install-access/verify`, UserId: 'AROA' };
  });

  const iam = mockClient(IAMClient);
  iam.on(GetRoleCommand).callsFake(async (input: { RoleName: string }, getClient) => {
    count('iam:GetRole');
    const { accessKeyId } = await getClient().config.credentials();
    const trustPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: vendorPrincipalArn },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': accessKeyId.replace(/^ASIA/, '') } },
        },
      ],
    };
    return {
      Role: {
        RoleName: input.RoleName,
        Path: '/',
        RoleId: 'AROA',
        Arn: `arn:aws:iam::${accountId}:role/${input.RoleName}`,
        CreateDate: new Date(),
        AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trustPolicy)),
      },
    };
  });
  iam.on(ListRolePoliciesCommand).callsFake(() => (count('iam:ListRolePolicies'), { PolicyNames: ['provision'] }));
  iam
    .on(GetRolePolicyCommand)
    .callsFake(
      () => (count('iam:GetRolePolicy'), { RoleName: 'r', PolicyName: 'provision', PolicyDocument: adminPolicy }),
    );
  iam
    .on(ListAttachedRolePoliciesCommand)
    .callsFake(() => (count('iam:ListAttachedRolePolicies'), { AttachedPolicies: [] }));

  const cfn = mockClient(CloudFormationClient);
  cfn.on(DescribeStacksCommand).callsFake((input: { StackName: string }) => {
    count('cloudformation:DescribeStacks');
    const status = stacks.get(input.StackName);
    if (!status) throw awsError('ValidationError', `Stack with id ${input.StackName} does not exist`);
    return {
      Stacks: [
        {
          StackName: input.StackName,
          StackId: input.StackName,
          StackStatus: status,
          CreationTime: new Date(),
          Outputs: [],
        },
      ],
    };
  });
  cfn.on(CreateStackCommand).callsFake((input: { StackName: string }) => {
    count('cloudformation:CreateStack');
    stacks.set(input.StackName, 'CREATE_COMPLETE');
    return { StackId: input.StackName };
  });
  cfn.on(DeleteStackCommand).callsFake((input: { StackName: string }) => {
    count('cloudformation:DeleteStack');
    stacks.set(input.StackName, 'DELETE_COMPLETE');
    return {};
  });

  const s3 = mockClient(S3Client);
  const bucket = (name: string) => {
    const found = buckets.get(name);
    if (!found) throw awsError('NoSuchBucket', 'The specified bucket does not exist', 404);
    return found;
  };
  s3.on(HeadBucketCommand).callsFake((input: { Bucket: string }) => (count('s3:HeadBucket'), bucket(input.Bucket), {}));
  s3.on(CreateBucketCommand).callsFake(
    (input: { Bucket: string }) => (count('s3:CreateBucket'), buckets.set(input.Bucket, { tags: [] }), {}),
  );
  s3.on(PutBucketTaggingCommand).callsFake(
    (input: { Bucket: string; Tagging: { TagSet: Array<{ Key: string; Value: string }> } }) => {
      count('s3:PutBucketTagging');
      bucket(input.Bucket).tags = input.Tagging.TagSet;
      return {};
    },
  );
  s3.on(GetBucketTaggingCommand).callsFake(
    (input: { Bucket: string }) => (count('s3:GetBucketTagging'), { TagSet: bucket(input.Bucket).tags }),
  );
  s3.on(GetBucketPolicyCommand).callsFake((input: { Bucket: string }) => {
    count('s3:GetBucketPolicy');
    const policy = bucket(input.Bucket).policy;
    if (!policy) throw awsError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404);
    return { Policy: policy };
  });
  s3.on(PutBucketPolicyCommand).callsFake((input: { Bucket: string; Policy: string }) => {
    count('s3:PutBucketPolicy');
    bucket(input.Bucket).policy = input.Policy;
    return {};
  });
  s3.on(ListObjectsV2Command).callsFake(() => (count('s3:ListObjectsV2'), { Contents: [] }));
  s3.on(DeleteBucketCommand).callsFake(
    (input: { Bucket: string }) => (count('s3:DeleteBucket'), buckets.delete(input.Bucket), {}),
  );

  // The CUR client is pinned to an older SDK release whose types aws-sdk-client-mock does not accept; at runtime
  // it is the same kind of client, so it is mocked through an untyped view.
  const cur = mockClient(CostAndUsageReportServiceClient as never) as unknown as {
    on(command: unknown): { callsFake(fake: (input: never) => unknown): void };
    restore(): void;
  };
  cur.on(PutReportDefinitionCommand).callsFake((input: { ReportDefinition: ReportDefinition }) => {
    count('cur:PutReportDefinition');
    reports.set(input.ReportDefinition.ReportName!, input.ReportDefinition);
    return {};
  });
  cur
    .on(DescribeReportDefinitionsCommand)
    .callsFake(() => (count('cur:DescribeReportDefinitions'), { ReportDefinitions: [...reports.values()] }));
  cur.on(DeleteReportDefinitionCommand).callsFake((input: { ReportName: string }) => {
    count('cur:DeleteReportDefinition');
    reports.delete(input.ReportName);
    return {};
  });

  return {
    calls,
    totalCalls: () => [...calls.values()].reduce((sum, value) => sum + value, 0),
    reset: () => calls.clear(),
    restore: () => [sts, iam, cfn, s3, cur].forEach((mock) => mock.restore()),
  };
}

/** The real activities' dependencies, pointed at the zero-latency AWS above (installZeroLatencyAws first). */
export function zeroLatencyActivityDeps(runnerTokenKey: Uint8Array): Promise<ActivityDeps> {
  return createActivityDeps({
    aws: {
      region: 'us-east-1',
      vendorCredentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
      maxAttempts: 1,
    },
    vendorPrincipalArn,
    roleTemplateBaseUrl: 'http://127.0.0.1:3000/installs',
    runnerTokenKey,
    pollIntervalMs: 10,
    durationFloor: 'development',
    notify: async () => undefined,
  });
}
