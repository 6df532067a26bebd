import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import type { InstallActivities } from '../../activities';
import { installSearchAttributes } from '../../workflows/search-attributes';
import { stack } from '../helpers';
import { createInstallWorker } from '../../worker/install-worker';

/**
 * One time-skipping test server per test file (Temporal's Java test server): while a test awaits a workflow's
 * result, the server jumps its clock to the next timer, so "expires after 90 days" takes a second, with the
 * production bounds, instead of a shrunk timeout.
 *
 * @example
 * const timeSkipping = useTimeSkippingEnvironment();
 * await timeSkipping.run(activities, async (client, taskQueue) => { ... });
 */
/**
 * The SDK waits a fixed 5 s for the test server's JVM to listen (sdk-core's ephemeral_server); on a loaded 2-core CI
 * machine a JVM start can take longer, and a whole test file then failed on "did not start within 5s". That one
 * error is retried with a fresh port, three attempts in all; any other error, or a third timeout, fails as it is.
 */
async function startTimeSkippingServer(attempts = 3): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: stack.timeSkippingServerPath } },
      });
    } catch (error) {
      if (attempt >= attempts || !/did not start within/.test(String(error))) throw error;
    }
  }
}

export function useTimeSkippingEnvironment() {
  let env: TestWorkflowEnvironment | undefined;
  // Workers still running when the file ends (a test that timed out mid-body): stopped before the server goes, or
  // they poll the dead server for the rest of the jest worker's life, beside the suites that follow.
  const running = new Set<Awaited<ReturnType<typeof createInstallWorker>>>();
  beforeAll(async () => {
    env = await startTimeSkippingServer();
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(
        installSearchAttributes.map((key) => [
          key.name,
          temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    });
  });
  afterAll(async () => {
    for (const worker of running) worker.shutdown();
    await env?.teardown();
  });
  return {
    get env(): TestWorkflowEnvironment {
      if (!env) throw new Error('useTimeSkippingEnvironment: the environment starts in beforeAll');
      return env;
    },
    /**
     * Runs `body` while a worker with these activities polls a fresh task queue, with the project's workflows or the
     * bundle given.
     */
    async run<T>(
      activities: InstallActivities,
      body: (client: TestWorkflowEnvironment['client'], taskQueue: string) => Promise<T>,
      workflowBundle: { code: string } = { code: readFileSync(stack.workflowBundlePath, 'utf8') },
    ): Promise<T> {
      const taskQueue = `time-skipping-${randomUUID()}`;
      const worker = await createInstallWorker({
        connection: this.env.nativeConnection,
        namespace: 'default',
        taskQueue,
        activities,
        workflowBundle,
      });
      running.add(worker);
      try {
        return await worker.runUntil(() => body(this.env.client, taskQueue));
      } finally {
        running.delete(worker);
      }
    },
  };
}
