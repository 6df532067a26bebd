import { recordHistoryIfAsked } from '../workflows/record-history';
import type { Client } from '@temporalio/client';
import { createActivities } from '../../activities';
import { CustomerSessions, queryInstallForAccess } from '../../activities/aws/customer-session';
import type { CustomerAccessRef } from '../../domain/customer-access';
import { deriveRunnerToken } from '../../security/runner-token';
import { readableHistory, scheduledActivityInputs } from '../support/history-scan';
import { sandboxStackName } from '../../domain/install-names';
import { requestDeprovisionUpdate, submitRoleArnUpdate } from '../../workflows/definitions';
import { bucketExists, bucketPolicy, reportDefinition, stackStatus } from '../customer-account';
import {
  closeTestClient,
  customerAccount,
  runnerTokenKey,
  stack,
  withTestWorker,
  createCustomerRole,
  testActivityDeps,
  testClient,
} from '../helpers';
import {
  checkInRunner,
  installStatus,
  onboardingArtifacts,
  startInstall,
  testInstallInput,
  waitForPhase,
} from '../install-driver';

describe('install lifecycle against the real Temporal dev server, moto and the CUR endpoint', () => {
  let client: Client;

  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(() => closeTestClient());

  it('onboards an account end to end and deprovisions it leaving nothing behind', async () => {
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('happy');
      const handle = await startInstall(client, taskQueue, input);
      const artifacts = await onboardingArtifacts(handle, input);
      expect(artifacts.externalId).toMatch(/^[0-9a-f]{48}$/);

      const roleArn = await createCustomerRole(artifacts);
      const outcome = await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
      expect(outcome).toMatchObject({ verified: true });

      await checkInRunner(handle, input.installId);
      const active = await waitForPhase(handle, 'active');
      expect(active.role).toMatchObject({ arn: roleArn, withoutExternalId: 'refused', missingPermissions: [] });
      expect(active.role?.assumedRoleArn).toContain(`:assumed-role/${artifacts.roleName}/`);
      expect(active.sandbox?.stackStatus).toBe('CREATE_COMPLETE');
      expect(await stackStatus(sandboxStackName(input.installId))).toBe('CREATE_COMPLETE');

      const bucket = active.cur!.bucket;
      expect(await bucketExists(bucket)).toBe(true);
      const policy = await bucketPolicy(bucket);
      expect(policy.Statement.map((statement) => statement.Principal)).toContainEqual({
        Service: 'billingreports.amazonaws.com',
      });
      expect(await reportDefinition(active.cur!.reportName)).toMatchObject({
        TimeUnit: 'DAILY',
        Compression: 'GZIP',
        Format: 'textORcsv',
        AdditionalSchemaElements: ['RESOURCES'],
        RefreshClosedReports: true,
        S3Bucket: bucket,
      });

      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{ reason: 'test' }] });
      const final = await handle.result();
      expect(final.phase).toBe('deprovisioned');
      expect(final.leftovers).toEqual([]);
      expect(await stackStatus(sandboxStackName(input.installId))).toBeUndefined();
      expect(await reportDefinition(active.cur!.reportName)).toBeUndefined();
      expect(await bucketExists(bucket)).toBe(false);
      expect((await installStatus(handle)).phase).toBe('deprovisioned');
      await recordHistoryIfAsked(handle, 'happy-path');

      // Nothing that grants access may be in history: not the vendor's keys, no session credentials, no runner token.
      const history = readableHistory(await handle.fetchHistory());
      // The decoding works (payloads are readable), so what is absent is truly absent.
      const ended = await installStatus(handle);
      expect(history.includes(ended.onboarding!.externalId)).toBe(true);
      const runnerToken = deriveRunnerToken(runnerTokenKey, input.installId, ended.runner!.registrationId);
      const secrets = [
        stack.accounts.vendor.credentials.secretAccessKey,
        customerAccount.credentials.secretAccessKey,
        runnerToken,
      ];
      expect(secrets.filter((secret) => history.includes(secret))).toEqual([]);
      expect(history.match(/ASIA[A-Z0-9]{16}|sessionToken|SessionToken|secretAccessKey/g)).toBeNull();
    });
  });

  it('reaches the customer account from a worker that keeps no session, asking the install for its role each time', async () => {
    const deps = await testActivityDeps();
    const asked: CustomerAccessRef[] = [];
    deps.sessions = new CustomerSessions(deps.aws, {
      maxSessions: 0,
      lookUpAccess: (ref) => {
        asked.push(ref);
        return queryInstallForAccess(ref);
      },
    });
    await withTestWorker(
      async ({ taskQueue }) => {
        const input = testInstallInput('no-sessions');
        const handle = await startInstall(client, taskQueue, input);
        const artifacts = await onboardingArtifacts(handle, input);
        const roleArn = await createCustomerRole(artifacts);
        expect(await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] })).toMatchObject({
          verified: true,
        });
        await checkInRunner(handle, input.installId);
        const active = await waitForPhase(handle, 'active');
        expect(await stackStatus(sandboxStackName(input.installId))).toBe('CREATE_COMPLETE');
        await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
        expect(await handle.result()).toMatchObject({ phase: 'deprovisioned', leftovers: [] });
        expect(await bucketExists(active.cur!.bucket)).toBe(false);
        expect(asked.length).toBeGreaterThan(5);
        expect(new Set(asked.map((ref) => ref.installId))).toEqual(new Set([input.installId]));

        // The External ID went out once, to the check that proves the role; every other activity got a reference.
        const inputs = scheduledActivityInputs(await handle.fetchHistory()).map(({ input }) => input);
        expect(inputs.filter((text) => text.includes(artifacts.externalId))).toHaveLength(1);
        expect(inputs.length).toBeGreaterThan(10);
      },
      { activityOverrides: createActivities(deps) },
    );
  });
});
