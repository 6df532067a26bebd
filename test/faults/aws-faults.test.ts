import { WorkflowFailedError, type Client } from '@temporalio/client';
import { createActivities } from '../../activities';
import { startFaultProxy, type FaultKind, type FaultProxy, type ForwardedRequest } from '../../devstack/fault-proxy';
import { installResourceNames } from '../../domain/install-names';
import { getStatusQuery, requestDeprovisionUpdate, submitRoleArnUpdate } from '../../workflows/definitions';
import { accountCensus, bucketExists, reportDefinition, stackStatus } from '../customer-account';
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

/** The requests that create this install's stack, CUR bucket and report definition, as they reach AWS. */
function createsOf(names: ReturnType<typeof installResourceNames>) {
  return {
    stack: (request: ForwardedRequest) =>
      request.operation === 'CreateStack' && new URLSearchParams(request.body).get('StackName') === names.stackName,
    bucket: (request: ForwardedRequest) => {
      const url = new URL(request.path, 'http://aws');
      return (
        request.method === 'PUT' &&
        url.pathname.replace(/\/$/, '') === `/${names.curBucket}` &&
        [...url.searchParams.keys()].every((key) => key === 'x-id')
      );
    },
    report: (request: ForwardedRequest) =>
      request.operation.endsWith('.PutReportDefinition') && request.body.includes(`"${names.curReportName}"`),
  };
}

/**
 * What of this install exists in the customer account: every stack ever created (deleted ones too), and the live
 * buckets (the CUR bucket and the sandbox's artifacts bucket) and report definitions.
 */
async function censusOf(names: ReturnType<typeof installResourceNames>, installId: string) {
  const census = await accountCensus();
  const ours = (name: string) => name.includes(installId) || name.startsWith(names.sandboxResourcePrefix);
  return {
    stackIds: census.stacks.filter((stack) => ours(stack.name)).map((stack) => stack.id),
    liveStacks: census.stacks.filter((stack) => ours(stack.name) && stack.status !== 'DELETE_COMPLETE').length,
    buckets: census.buckets.filter(ours).sort(),
    reports: census.reports.filter(ours),
  };
}

async function activitiesBehind(aws: FaultProxy, cur: FaultProxy) {
  const endpoint = aws.url;
  // The SDK's two tries per call, as in production (activities/aws/clients.ts). With one, at this fault rate the
  // preflight's six reads (its role's policies and boundary) all succeed in one attempt of twenty, and eight attempts
  // can all fail; Temporal's retry is still needed and asserted below.
  return createActivities(
    await testActivityDeps(
      {},
      { sts: endpoint, iam: endpoint, s3: endpoint, cloudformation: endpoint, cur: cur.url },
      2,
    ),
  );
}

describe('AWS faults between the worker and AWS', () => {
  let client: Client;
  let aws: FaultProxy;
  let cur: FaultProxy;

  const input = testInstallInput('faults', {
    timeouts: { rolePropagation: '2 minutes', runnerCheckIn: '2 minutes' },
  });
  const names = installResourceNames(input);
  const creates = createsOf(names);

  beforeAll(async () => {
    client = await testClient();
    aws = await startFaultProxy({
      target: stack.awsEndpoint,
      rate: 0.5,
      kinds: allFaults,
      seed: 20261122,
      slowMs: 400,
    });
    cur = await startFaultProxy({
      target: stack.curEndpoint,
      rate: 0.35,
      kinds: allFaults,
      seed: 7,
      slowMs: 400,
    });
  });
  afterAll(async () => {
    await aws.close();
    await cur.close();
    await closeTestClient();
  });

  it('completes an install through throttling, 503s, slow answers and dropped connections, creating each thing once', async () => {
    // "Once": a create whose answer was lost is sent again, and that retry must not make a second thing. However
    // often each create reached AWS, the account holds exactly one stack id of this install (deleted ones
    // included), one CUR bucket, one artifacts bucket and one report definition, and none of them after
    // deprovisioning.
    await withTestWorker(
      async ({ taskQueue }) => {
        const { handle, active } = await onboardUntilActive(client, taskQueue, input);
        // The retried create finds the stack the lost one made, and updates it (moto settles creates at once).
        expect(active.sandbox?.stackStatus).toMatch(/^(CREATE|UPDATE)_COMPLETE$/);
        expect(await reportDefinition(names.curReportName)).toMatchObject({ TimeUnit: 'DAILY' });
        const onboarded = await censusOf(names, input.installId);
        process.stderr.write(`census when active: ${JSON.stringify(onboarded)}\n`);
        expect(onboarded).toEqual({
          stackIds: [active.sandbox?.stackId],
          liveStacks: 1,
          buckets: [names.curBucket, `${names.sandboxResourcePrefix}${names.accountId}-artifacts`].sort(),
          reports: [names.curReportName],
        });

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
    const reached = {
      stack: aws.requests.filter(creates.stack),
      bucket: aws.requests.filter(creates.bucket),
      report: cur.requests.filter(creates.report),
    };
    process.stderr.write(
      `creates that reached AWS: ${JSON.stringify(
        Object.fromEntries(
          Object.entries(reached).map(([kind, requests]) => [
            kind,
            requests.map((r) => (r.responseLost ? 'lost' : 'answered')),
          ]),
        ),
      )}\n`,
    );
    // Each create reached AWS; however many times (a retry after a lost answer), the census above found one thing.
    for (const requests of Object.values(reached)) expect(requests.length).toBeGreaterThanOrEqual(1);
    const injected =
      Object.values(aws.injected).reduce((sum, count) => sum + count, 0) +
      Object.values(cur.injected).reduce((sum, count) => sum + count, 0);
    expect(injected).toBeGreaterThanOrEqual(5);
    for (const kind of allFaults) expect(aws.injected[kind]).toBeGreaterThanOrEqual(1);
    const deprovisioned = await censusOf(names, input.installId);
    expect(deprovisioned).toEqual({ stackIds: [expect.any(String)], liveStacks: 0, buckets: [], reports: [] });
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
