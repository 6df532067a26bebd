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
import { renderTrustPolicy } from '../domain/trust-policy';
import { createActivityDeps } from '../worker/activity-deps';
import type { SharedAwsState } from './aws-state';

export const benchAccountId = '111111111111';
export const benchVendorPrincipalArn = 'arn:aws:iam::123456789012:role/vendor';

/** One role per lifecycle: a role trusts the first External ID it is assumed with, as the customer's would. */
export const benchRoleArn = (workflowId: string) => `arn:aws:iam::${benchAccountId}:role/bench-${workflowId}`;

/** What one process's zero-latency AWS was asked: the parent adds these up over every worker process. */
export interface AwsCallCounts {
  /** SDK calls by operation (`s3:CreateBucket`). */
  calls: Record<string, number>;
  /** Calls no stub answers: a new AWS call in the activities that the bench must learn before its figures count. */
  unanswered: Record<string, number>;
}

function awsError(name: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}

interface Bucket {
  tags: Array<{ Key: string; Value: string }>;
  policy?: string;
}

/**
 * AWS that answers at once, with just enough state (roles, stacks, buckets, reports) for the real activities to run
 * their happy path. The state is shared by every worker process of the run (aws-state.ts), so an activity may land
 * on any of them; the calls are counted in this process, by operation. A call no stub answers fails loudly and is
 * counted apart, so a new AWS call in the activities cannot hide behind retries.
 *
 * @example
 * const aws = installZeroLatencyAws(new SharedAwsState(dir));
 * const activities = createActivities(await zeroLatencyActivityDeps(runnerTokenKey));
 * aws.counts(); // { calls: { 'sts:AssumeRole': 3, ... }, unanswered: {} }
 */
export function installZeroLatencyAws(state: SharedAwsState) {
  const calls = new Map<string, number>();
  const unanswered = new Map<string, number>();
  const count = (operation: string) => calls.set(operation, (calls.get(operation) ?? 0) + 1);
  const adminPolicy = encodeURIComponent(
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
  );
  const roleName = (roleArn: string) => roleArn.split('/').pop()!;

  // The stub's own behaviour answers what no `on(Command)` matches; unlike those, it is handed the command itself.
  const refuseUnstubbed = (service: string) => (command: object) => {
    const operation = `${service}:${command.constructor.name.replace(/Command$/, '')}`;
    unanswered.set(operation, (unanswered.get(operation) ?? 0) + 1);
    return Promise.reject(
      new Error(`zero-latency AWS has no answer for ${operation}: add it to bench/zero-latency-aws.ts`),
    );
  };
  const sts = mockClient(STSClient);
  const iam = mockClient(IAMClient);
  const cfn = mockClient(CloudFormationClient);
  const s3 = mockClient(S3Client);
  sts.send.callsFake(refuseUnstubbed('sts'));
  iam.send.callsFake(refuseUnstubbed('iam'));
  cfn.send.callsFake(refuseUnstubbed('cloudformation'));
  s3.send.callsFake(refuseUnstubbed('s3'));

  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string; ExternalId?: string; RoleSessionName: string }) => {
    count('sts:AssumeRole');
    const role = roleName(input.RoleArn);
    const trusted = state.read<string>('roles', role);
    if (!input.ExternalId || (trusted !== undefined && trusted !== input.ExternalId)) {
      throw awsError('AccessDenied', 'not authorized to perform: sts:AssumeRole', 403);
    }
    if (trusted === undefined) state.write('roles', role, input.ExternalId);
    return {
      Credentials: {
        AccessKeyId: `ASIA${role}`,
        SecretAccessKey: 'zero-latency',
        SessionToken: 'zero-latency',
        Expiration: new Date(Date.now() + 3_600_000),
      },
      AssumedRoleUser: {
        Arn: `arn:aws:sts::${benchAccountId}:assumed-role/${role}/${input.RoleSessionName}`,
        AssumedRoleId: 'AROA',
      },
    };
  });
  // The session's role is in its access key (AssumeRole above made it), as AWS knows it from the signature.
  sts.on(GetCallerIdentityCommand).callsFake(async (_input, getClient) => {
    count('sts:GetCallerIdentity');
    const credentials = await (getClient().config.credentials as () => Promise<{ accessKeyId: string }>)();
    const role = credentials.accessKeyId.replace(/^ASIA/, '');
    return {
      Account: benchAccountId,
      Arn: `arn:aws:sts::${benchAccountId}:assumed-role/${role}/verify`,
      UserId: 'AROA',
    };
  });

  iam.on(GetRoleCommand).callsFake((input: { RoleName: string }) => {
    count('iam:GetRole');
    const externalId = state.read<string>('roles', input.RoleName);
    if (externalId === undefined) throw awsError('NoSuchEntity', `The role ${input.RoleName} cannot be found`, 404);
    const trust = renderTrustPolicy(benchVendorPrincipalArn, externalId);
    return {
      Role: {
        RoleName: input.RoleName,
        Arn: `arn:aws:iam::${benchAccountId}:role/${input.RoleName}`,
        Path: '/',
        RoleId: 'AROA',
        CreateDate: new Date(),
        AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
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

  cfn.on(DescribeStacksCommand).callsFake((input: { StackName: string }) => {
    count('cloudformation:DescribeStacks');
    const status = state.read<string>('stacks', input.StackName);
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
    state.write('stacks', input.StackName, 'CREATE_COMPLETE');
    return { StackId: input.StackName };
  });
  cfn.on(DeleteStackCommand).callsFake((input: { StackName: string }) => {
    count('cloudformation:DeleteStack');
    state.write('stacks', input.StackName, 'DELETE_COMPLETE');
    return {};
  });

  const bucket = (name: string): Bucket => {
    const found = state.read<Bucket>('buckets', name);
    if (!found) throw awsError('NoSuchBucket', 'The specified bucket does not exist', 404);
    return found;
  };
  s3.on(HeadBucketCommand).callsFake((input: { Bucket: string }) => (count('s3:HeadBucket'), bucket(input.Bucket), {}));
  s3.on(CreateBucketCommand).callsFake((input: { Bucket: string }) => {
    count('s3:CreateBucket');
    state.write('buckets', input.Bucket, { tags: [] } satisfies Bucket);
    return {};
  });
  s3.on(PutBucketTaggingCommand).callsFake(
    (input: { Bucket: string; Tagging: { TagSet: Array<{ Key: string; Value: string }> } }) => {
      count('s3:PutBucketTagging');
      state.write('buckets', input.Bucket, { ...bucket(input.Bucket), tags: input.Tagging.TagSet });
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
    state.write('buckets', input.Bucket, { ...bucket(input.Bucket), policy: input.Policy });
    return {};
  });
  s3.on(ListObjectsV2Command).callsFake(() => (count('s3:ListObjectsV2'), { Contents: [] }));
  s3.on(DeleteBucketCommand).callsFake((input: { Bucket: string }) => {
    count('s3:DeleteBucket');
    state.remove('buckets', input.Bucket);
    return {};
  });

  // The CUR client is pinned to an older SDK release whose types aws-sdk-client-mock does not accept; at runtime
  // it is the same kind of client, so it is mocked through an untyped view.
  const cur = mockClient(CostAndUsageReportServiceClient as never) as unknown as {
    send: { callsFake(fake: (command: object) => unknown): void };
    on(command: unknown): { callsFake(fake: (input: never) => unknown): void };
    restore(): void;
  };
  cur.send.callsFake(refuseUnstubbed('cur'));
  cur.on(PutReportDefinitionCommand).callsFake((input: { ReportDefinition: ReportDefinition }) => {
    count('cur:PutReportDefinition');
    state.write('reports', input.ReportDefinition.ReportName!, input.ReportDefinition);
    return {};
  });
  cur.on(DescribeReportDefinitionsCommand).callsFake(() => {
    count('cur:DescribeReportDefinitions');
    return { ReportDefinitions: state.list<ReportDefinition>('reports') };
  });
  cur.on(DeleteReportDefinitionCommand).callsFake((input: { ReportName: string }) => {
    count('cur:DeleteReportDefinition');
    state.remove('reports', input.ReportName);
    return {};
  });

  return {
    counts: (): AwsCallCounts => ({ calls: Object.fromEntries(calls), unanswered: Object.fromEntries(unanswered) }),
    reset: () => {
      calls.clear();
      unanswered.clear();
    },
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
    vendorPrincipalArn: benchVendorPrincipalArn,
    roleTemplateBaseUrl: 'http://127.0.0.1:3000/installs',
    runnerTokenKey,
    pollIntervalMs: 10,
    durationFloor: 'development',
    notify: async () => undefined,
  });
}
