import { PutReportDefinitionCommand } from '@aws-sdk/client-cost-and-usage-report-service';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { createActivities } from '../../activities';
import { installResourceNames } from '../../domain/install-names';
import {
  decideApprovalUpdate,
  getStatusQuery,
  requestDeprovisionUpdate,
  submitRoleArnUpdate,
} from '../../workflows/definitions';
import {
  bucketExists,
  bucketPolicy,
  customerClients,
  liveStacksNamed,
  objectKeys,
  reportDefinition,
  stackStatus,
} from '../customer-account';
import { CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  closeTestClient,
  createCustomerRole,
  customerAccount,
  testActivityDeps,
  testClient,
  waitUntil,
  withTestWorker,
} from '../helpers';
import {
  checkInRunner,
  onboardUntilActive,
  onboardingArtifacts,
  startInstall,
  testInstallInput,
  waitForPhase,
} from '../install-driver';

/** Wraps an activity so its first attempt does the real AWS call and then "crashes" before reporting back. */
function crashAfterFirstCall<A extends unknown[], R>(activity: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const result = await activity(...args);
    if (Context.current().info.attempt === 1) throw new Error('worker lost after the AWS call succeeded');
    return result;
  };
}

describe('provisioning the sandbox and the cost report', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(() => closeTestClient());

  it("fails in the catalog's words when AWS refuses the CUR bucket policy, and removes what it created", async () => {
    const input = testInstallInput('policy-denied', { approval: { required: true } });
    const names = installResourceNames(input);
    await withTestWorker(async ({ taskQueue }) => {
      const handle = await startInstall(client, taskQueue, input);
      const artifacts = await onboardingArtifacts(handle, input);
      const roleArn = await createCustomerRole(artifacts);
      await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
      await waitForPhase(handle, 'awaiting_approval');
      // After the permission preflight passed, a guardrail (as a service control policy would) denies the action.
      const guardrail = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: 's3:PutBucketPolicy', Resource: '*' }],
      };
      await customerClients().iam.send(
        new PutRolePolicyCommand({
          RoleName: artifacts.roleName,
          PolicyName: 'guardrail',
          PolicyDocument: JSON.stringify(guardrail),
        }),
      );
      await handle.executeUpdate(decideApprovalUpdate, { args: [{ approve: true, by: 'test' }] });

      await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      const status = await handle.query(getStatusQuery);
      expect(status.phase).toBe('failed');
      expect(status.lastError).toMatchObject({
        code: 'cur_bucket_policy_denied',
        awsErrorCode: 'AccessDenied',
        operation: 's3:PutBucketPolicy',
        step: 'apply_cur_bucket_policy',
        cause: expect.stringContaining('s3:PutBucketPolicy'),
        fix: expect.stringContaining('service control policy'),
      });
      expect(await stackStatus(names.stackName)).toBeUndefined();
      expect(await bucketExists(names.curBucket)).toBe(false);
    });
  });

  it('removes the sandbox stack and fails with the reason when the stack fails', async () => {
    const input = testInstallInput('stack-fails');
    const names = installResourceNames(input);
    const failedWait = async () => {
      throw ApplicationFailure.nonRetryable(
        'Sandbox stack ended in ROLLBACK_COMPLETE: RunnerJobs: Resource handler returned message: "Queue limit exceeded"',
        'StackFailed',
      );
    };
    await withTestWorker(
      async ({ taskQueue }) => {
        const handle = await startInstall(client, taskQueue, input);
        const roleArn = await createCustomerRole(await onboardingArtifacts(handle, input));
        await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });

        const failure = await handle.result().catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(WorkflowFailedError);
        expect((failure as WorkflowFailedError).cause).toMatchObject({ type: 'stack_failed' });
        expect((failure as WorkflowFailedError).cause?.message).toContain('Queue limit exceeded');

        const status = await handle.query(getStatusQuery);
        expect(status.phase).toBe('failed');
        expect(status.lastError).toMatchObject({
          code: 'stack_failed',
          cause: expect.stringMatching(/rolled it back/),
        });
        expect(status.deprovision?.leftovers).toEqual([]);
        expect(status.steps.create_cur_bucket).toBeUndefined();
        expect(await stackStatus(names.stackName)).toBeUndefined();
        expect(await bucketExists(names.curBucket)).toBe(false);
      },
      { activityOverrides: { waitForSandboxStack: failedWait } },
    );
  });

  it('brings a conflicting report definition of the same name to the required settings', async () => {
    const input = testInstallInput('cur-conflict');
    const names = installResourceNames(input);
    await customerClients().cur.send(
      new PutReportDefinitionCommand({
        ReportDefinition: {
          ReportName: names.curReportName,
          TimeUnit: 'HOURLY',
          Format: 'textORcsv',
          Compression: 'ZIP',
          AdditionalSchemaElements: [],
          S3Bucket: names.curBucket,
          S3Prefix: 'elsewhere',
          S3Region: 'us-east-1',
        },
      }),
    );
    await withTestWorker(async ({ taskQueue }) => {
      const { handle, active } = await onboardUntilActive(client, taskQueue, input);
      expect(active.cur?.reportDefinition).toBe('modified');
      expect(await reportDefinition(names.curReportName)).toMatchObject({
        TimeUnit: 'DAILY',
        Compression: 'GZIP',
        AdditionalSchemaElements: ['RESOURCES'],
        S3Prefix: names.curPrefix,
      });
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).leftovers).toEqual([]);
    });
  });

  it("keeps a CUR bucket the customer already had, removing only the install's policy statements", async () => {
    const input = testInstallInput('own-bucket');
    const names = installResourceNames(input);
    const { s3 } = customerClients();
    await s3.send(new CreateBucketCommand({ Bucket: names.curBucket }));
    const customerStatement = {
      Sid: 'CustomerAudit',
      Effect: 'Allow',
      Principal: { AWS: customerAccount.principalArn },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${names.curBucket}/*`,
    };
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: names.curBucket,
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [customerStatement] }),
      }),
    );

    await withTestWorker(async ({ taskQueue }) => {
      const { handle, active } = await onboardUntilActive(client, taskQueue, input);
      expect(active.cur?.bucketCreatedByInstall).toBe(false);
      expect((await bucketPolicy(names.curBucket)).Statement.map((statement) => statement.Sid)).toEqual([
        'CustomerAudit',
        'InstallCostReportDeliveryRead',
        'InstallCostReportDeliveryWrite',
      ]);
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).leftovers).toEqual([]);
    });
    expect(await bucketExists(names.curBucket)).toBe(true);
    expect((await bucketPolicy(names.curBucket)).Statement).toEqual([customerStatement]);
  });

  it("deletes only the reports' folders on deprovision, keeping the customer's objects under the same prefix", async () => {
    const input = testInstallInput('shared-prefix', {
      cur: { prefix: 'billing/shared', kind: 'both', reportName: 'vendor-cur', exportName: 'vendor-cur2' },
    });
    const names = installResourceNames(input);
    const { s3 } = customerClients();
    await s3.send(new CreateBucketCommand({ Bucket: names.curBucket }));
    const customerKeys = [
      'billing/shared/customer-notes.csv',
      'billing/shared/vendor-cur-archive/2025.csv.gz',
      'billing/shared/vendor-cur2x/data.parquet',
      'billing/other/vendor-cur/kept.csv',
    ];
    const reportKeys = [
      'billing/shared/vendor-cur/20260101-20260201/vendor-cur-Manifest.json',
      'billing/shared/vendor-cur/20260101-20260201/vendor-cur-00001.csv.gz',
      'billing/shared/vendor-cur2/data/BILLING_PERIOD=2026-01/vendor-cur2-00001.snappy.parquet',
      'billing/shared/vendor-cur2/metadata/BILLING_PERIOD=2026-01/vendor-cur2-Manifest.json',
    ];
    for (const key of [...customerKeys, ...reportKeys]) {
      await s3.send(new PutObjectCommand({ Bucket: names.curBucket, Key: key, Body: 'x' }));
    }

    await withTestWorker(async ({ taskQueue }) => {
      const { handle } = await onboardUntilActive(client, taskQueue, input);
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).leftovers).toEqual([]);
    });
    expect(await objectKeys(names.curBucket)).toEqual([...customerKeys].sort());
  });

  it('creates each resource exactly once when workers die after their AWS calls and another takes over', async () => {
    // The runner checks in only after the first worker stopped and the next one started: time for both on a loaded
    // machine, not the default 30 s.
    const input = testInstallInput('worker-crash', {
      timeouts: { rolePropagation: '5 seconds', runnerCheckIn: '10 minutes', roleSubmission: '5 minutes' },
    });
    const names = installResourceNames(input);
    const real = createActivities(await testActivityDeps());
    const crashing = {
      deploySandboxStack: crashAfterFirstCall(real.deploySandboxStack),
      ensureCurBucket: crashAfterFirstCall(real.ensureCurBucket),
      applyCurBucketPolicy: crashAfterFirstCall(real.applyCurBucketPolicy),
      defineCostReport: crashAfterFirstCall(real.defineCostReport),
    };
    const taskQueue = `test-crash-${input.installId}`;
    const handle = await withTestWorker(
      async () => {
        const started = await startInstall(client, taskQueue, input);
        const roleArn = await createCustomerRole(await onboardingArtifacts(started, input));
        await started.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
        // Stop once the install waits on the runner: no activity is in flight for the next worker to time out.
        await waitUntil(
          () => started.query(getStatusQuery),
          (status) => status.phase === 'handing_off' && status.runner !== undefined,
        );
        return started;
      },
      { taskQueue, activityOverrides: crashing },
    );

    // The first worker is gone; a new one on the same task queue finishes the install from history.
    await withTestWorker(
      async () => {
        await checkInRunner(handle, input.installId);
        const active = await waitForPhase(handle, 'active');
        expect(active.cur?.bucketCreatedByInstall).toBe(true);
        expect(await liveStacksNamed(names.stackName)).toBe(1);
        expect(await bucketExists(names.curBucket)).toBe(true);
        expect(await reportDefinition(names.curReportName)).toMatchObject({ TimeUnit: 'DAILY' });
        await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
        await handle.result();
      },
      { taskQueue },
    );
    expect(await liveStacksNamed(names.stackName)).toBe(0);
    expect(await reportDefinition(names.curReportName)).toBeUndefined();
  });
});
