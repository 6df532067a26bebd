import { WorkflowFailedError, type Client } from '@temporalio/client';
import { createActivities } from '../../activities';
import { startFaultProxy, type FaultKind, type FaultProxy } from '../../devstack/fault-proxy';
import { installResourceNames } from '../../domain/install-names';
import { getStatusQuery, requestDeprovisionUpdate, submitRoleArnUpdate } from '../../workflows/definitions';
import { bucketExists, reportDefinition, stackStatus } from '../customer-account';
import {
  awsEndpoints,
  closeTestClient,
  createCustomerRole,
  stack,
  testActivityDeps,
  testClient,
  withTestWorker,
} from '../helpers';
import { onboardUntilActive, onboardingArtifacts, startInstall, testInstallInput } from '../install-driver';

const allFaults: FaultKind[] = ['throttle', 'unavailable', 'slow', 'drop-request', 'drop-response'];

async function activitiesBehind(aws: FaultProxy, cur: FaultProxy) {
  const endpoint = aws.url;
  return createActivities(
    await testActivityDeps({}, { sts: endpoint, iam: endpoint, s3: endpoint, cloudformation: endpoint, cur: cur.url }),
  );
}

describe('AWS faults between the worker and AWS', () => {
  let client: Client;
  let aws: FaultProxy;
  let cur: FaultProxy;

  beforeAll(async () => {
    client = await testClient();
    aws = await startFaultProxy({
      target: stack.awsEndpoint,
      rate: 0.5,
      kinds: allFaults,
      seed: 20261122,
      slowMs: 400,
    });
    cur = await startFaultProxy({ target: stack.curEndpoint, rate: 0.35, kinds: allFaults, seed: 7, slowMs: 400 });
  });
  afterAll(async () => {
    await aws.close();
    await cur.close();
    await closeTestClient();
  });

  it('completes an install through throttling, 503s, slow answers and dropped connections, creating each thing once', async () => {
    const input = testInstallInput('faults', {
      timeouts: { rolePropagation: '2 minutes', runnerCheckIn: '2 minutes' },
    });
    const names = installResourceNames(input);
    await withTestWorker(
      async ({ taskQueue }) => {
        const { handle, active } = await onboardUntilActive(client, taskQueue, input);
        expect(active.sandbox?.stackStatus).toBe('CREATE_COMPLETE');
        expect(await reportDefinition(names.curReportName)).toMatchObject({ TimeUnit: 'DAILY' });
        await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
        const final = await handle.result();
        expect(final.leftovers).toEqual([]);

        const history = await handle.fetchHistory();
        const retried = (history.events ?? []).filter(
          (event) => (event.activityTaskStartedEventAttributes?.attempt ?? 1) > 1,
        );
        expect(retried.length).toBeGreaterThan(0);
      },
      { activityOverrides: await activitiesBehind(aws, cur) },
    );
    const injected =
      Object.values(aws.injected).reduce((sum, count) => sum + count, 0) +
      Object.values(cur.injected).reduce((sum, count) => sum + count, 0);
    expect(injected).toBeGreaterThanOrEqual(5);
    process.stderr.write(`aws proxy: ${JSON.stringify(aws.injected)} forwarded ${aws.forwarded}\n`);
    for (const kind of allFaults) expect(aws.injected[kind]).toBeGreaterThanOrEqual(1);
    expect(await stackStatus(names.stackName)).toBeUndefined();
    expect(await bucketExists(names.curBucket)).toBe(false);
    expect(await reportDefinition(names.curReportName)).toBeUndefined();
    process.stderr.write(`faults injected: aws ${JSON.stringify(aws.injected)}, cur ${JSON.stringify(cur.injected)}\n`);
  }, 180_000);

  it('surfaces a permanent error as a clear failed status instead of retrying forever', async () => {
    // The CUR API refusing the definition: ValidationException is permanent, whatever the retry policy. Names that
    // the emulator would refuse are refused by the install's own input check now, so the refusal is injected.
    const input = testInstallInput('permanent');
    const refusing = await startFaultProxy({
      target: stack.curEndpoint,
      rate: 0,
      kinds: [],
      seed: 1,
      refuse: {
        target: 'AWSOrigamiServiceGatewayService.PutReportDefinition',
        errorType: 'ValidationException',
        message: 'Failed to validate the report definition.',
      },
    });
    const activities = createActivities(await testActivityDeps({}, { ...awsEndpoints(), cur: refusing.url }));
    await withTestWorker(
      async ({ taskQueue }) => {
        const handle = await startInstall(client, taskQueue, input);
        const roleArn = await createCustomerRole(await onboardingArtifacts(handle, input));
        await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
        const failure = await handle.result().catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(WorkflowFailedError);
        const status = await handle.query(getStatusQuery);
        expect(status.phase).toBe('failed');
        expect(status.lastError).toMatchObject({
          code: 'cur_settings_refused',
          awsErrorCode: 'ValidationException',
          operation: 'cur:PutReportDefinition',
        });
        expect(status.lastError?.message).toContain('cur:PutReportDefinition');
        expect(status.steps.define_cost_report?.state).toBe('failed');
        expect(await stackStatus(installResourceNames(input).stackName)).toBeUndefined();
      },
      { activityOverrides: activities },
    ).finally(() => refusing.close());
  });
});
