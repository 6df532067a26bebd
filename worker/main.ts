import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { vendorCallsTaskQueue } from '../domain/vendor-calls';
import { createActivityDeps } from './activity-deps';
import { ConfigError, readPayloadCodec } from '../config/deployment';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { readPermissionSet } from '../config/permission-versions';
import { startTracing } from '../config/tracing';
import { readWorkerConfig } from './config';
import { createInstallWorker } from './install-worker';
import { installWorkerRuntime } from './telemetry';

async function main(): Promise<void> {
  const config = readWorkerConfig();
  const codec = readPayloadCodec();
  // Process-wide and once only: before anything makes a connection or a metric.
  const { metricsAddress } = installWorkerRuntime();
  const tracing = startTracing('install-orchestrator-worker');
  const deps = await createActivityDeps({
    aws: config.aws,
    vendorPrincipalArn: config.vendorPrincipalArn,
    roleTemplateBaseUrl: config.roleTemplateBaseUrl,
    runnerTokenKey: config.runnerTokenKey,
    pollIntervalMs: config.pollIntervalMs,
    durationFloor: config.durationFloor,
    customerSessionSeconds: config.customerSessionSeconds,
    webhooks: config.webhooks,
    permissionSet: readPermissionSet(),
    oidcIssuer: config.oidcIssuer,
  });
  const { temporal } = config;
  const connection = await NativeConnection.connect(temporalConnectionOptions(temporal));
  try {
    const worker = await createInstallWorker({
      connection,
      namespace: temporal.namespace,
      taskQueue: temporal.taskQueue,
      activities: createActivities(deps),
      workflowBundle: config.workflowBundlePath ? { codePath: config.workflowBundlePath } : undefined,
      dataConverter: codec ? { payloadCodecs: [codec] } : undefined,
      vendorCallsPerSecond: config.vendorCallsPerSecond,
      tracing,
    });
    console.log(
      JSON.stringify({
        level: 'info',
        msg: 'worker started',
        address: temporal.address,
        taskQueue: temporal.taskQueue,
        vendorCallsTaskQueue: vendorCallsTaskQueue(temporal.taskQueue),
        vendorCallsPerSecond: config.vendorCallsPerSecond,
        vendorPrincipal: deps.vendor.principalArn,
        payloadEncryption: codec !== undefined,
        metrics: metricsAddress ? `http://${metricsAddress}/metrics` : 'off',
        tracing: tracing ? 'otlp' : 'off',
        webhookEndpoints: config.webhooks?.endpoints.map(({ id, eventTypes }) => ({ id, eventTypes })) ?? [],
      }),
    );
    await worker.run();
  } finally {
    await connection.close();
    await tracing?.shutdown();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `worker: ${error.message}` : error);
  process.exit(1);
});
