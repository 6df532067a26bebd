import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { defaultWorkerTuning } from '../worker/install-worker';
import { installZeroLatencyAws, zeroLatencyActivityDeps } from './zero-latency-aws';

/**
 * A worker alone in its process, so its memory can be read from outside without the benchmark's client, mocks and
 * bookkeeping in the figure. Reports over IPC how many installs have reached their wait for the role.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { address: { type: 'string' }, 'task-queue': { type: 'string' }, bundle: { type: 'string' } },
  });
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  installZeroLatencyAws('111111111111');
  const deps = await zeroLatencyActivityDeps(randomBytes(32));
  const activities = createActivities(deps);
  let onboarded = 0;
  const connection = await NativeConnection.connect({ address: values.address! });
  const worker = await Worker.create({
    connection,
    taskQueue: values['task-queue']!,
    workflowBundle: { codePath: values.bundle! },
    activities: {
      ...activities,
      prepareOnboarding: async (input: { installId: string }) => {
        onboarded += 1;
        return activities.prepareOnboarding(input);
      },
    },
    ...defaultWorkerTuning,
  });
  process.on('message', (message) => {
    if (message === 'status') process.send?.({ onboarded, cachedWorkflows: worker.getStatus().numCachedWorkflows });
    if (message === 'stop') worker.shutdown();
  });
  process.send?.({ ready: true });
  await worker.run();
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
