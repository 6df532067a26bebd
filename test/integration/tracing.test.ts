import { Client } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InstallService } from '../../client/install-service';
import { startTracing, type Tracing } from '../../config/tracing';
import { closeTestClient, testClient, tracedActivities, uniqueInstallId, withTestWorker } from '../helpers';
import { onboardThroughApi, startTestApi } from '../api-server';

describe('one trace per install start, from the API request to the AWS calls', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(() => {
    tracing = startTracing('install-orchestrator-test', { spanProcessor: new SimpleSpanProcessor(exporter) })!;
  });
  afterAll(async () => {
    await tracing.shutdown();
    await closeTestClient();
  });

  it("has the request's span as root and every span of the install's start, down to each AWS call, under it", async () => {
    const installId = uniqueInstallId('traced');
    const taskQueue = `traced-${installId}`;
    const { connection } = await testClient();
    // The API's client as client/api/main.ts builds it: the OpenTelemetry interceptor on every workflow call.
    const client = new Client({
      connection,
      interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    });
    const api = await startTestApi({ taskQueue, installs: new InstallService(client, taskQueue) });
    try {
      await withTestWorker(() => onboardThroughApi(api, installId), { taskQueue, tracing });
    } finally {
      await api.app.close();
    }
    await tracing.spanProcessor.forceFlush();
    // The workflow loaded the tracing interceptors: each activity it scheduled carries the trace.
    const { traced, scheduled } = await tracedActivities(installId);
    expect(traced).toBe(scheduled);
    expect(scheduled).toBeGreaterThan(10);

    const spans = exporter.getFinishedSpans();
    const request = spans.filter((span) => span.name === 'POST /installs');
    expect(request).toHaveLength(1);
    const traceId = request[0]!.spanContext().traceId;
    const trace = spans.filter((span) => span.spanContext().traceId === traceId);
    const names = new Set(trace.map((span) => span.name));

    // The chain: request → client call → workflow run → activity scheduled → activity run → AWS call.
    expect([...names]).toEqual(
      expect.arrayContaining([
        'POST /installs',
        'UpdateWithStartWorkflow:waitForOnboarding',
        'RunWorkflow:installWorkflow',
        'StartActivity:prepareOnboarding',
        'RunActivity:prepareOnboarding',
        'StartActivity:verifyRoleAccess',
        'RunActivity:verifyRoleAccess',
        'STS.AssumeRole',
        'CloudFormation.CreateStack',
        'S3.CreateBucket',
      ]),
    );
    // One tree: every span but the request's has its parent in the trace.
    const ids = new Set(trace.map((span) => span.spanContext().spanId));
    const orphans = trace.filter((span) => span !== request[0] && !ids.has(span.parentSpanId ?? ''));
    expect(orphans.map((span) => span.name)).toEqual([]);
    // Every AWS call the install's activities made is in it (the role-arn and check-in requests start none).
    const awsCalls = spans.filter((span) => span.attributes['install.id'] === installId && isAwsCall(span));
    expect(awsCalls.length).toBeGreaterThan(10);
    expect(awsCalls.filter((span) => span.spanContext().traceId !== traceId).map((span) => span.name)).toEqual([]);
  }, 240_000);
});

function isAwsCall(span: ReadableSpan): boolean {
  return span.attributes['rpc.system'] === 'aws-api';
}
