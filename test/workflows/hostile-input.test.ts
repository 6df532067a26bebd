import { WorkflowFailedError, WorkflowUpdateStage, type Client } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import { deprovisionSignal, submitRoleArnUpdate, type InstallInput } from '../../workflows/definitions';
import { closeTestClient, testClient, waitUntil, withTestWorker } from '../helpers';
import { installStatus, startInstall, testInstallInput, waitForPhase } from '../install-driver';
import { mockActivities } from './mock-activities';
import { useTimeSkippingEnvironment } from './time-skipping';

const roleArn = 'arn:aws:iam::111111111111:role/install-access';

/** Resolves with the promise, or rejects once `ms` pass: a hang is a failure with a message, not a test timeout. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function workflowTaskFailures(handle: Awaited<ReturnType<typeof startInstall>>): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((event) => event.workflowTaskFailedEventAttributes).length;
}

describe('installWorkflow against hostile input and racing messages, with activities mocked', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(() => closeTestClient());

  it('fails at once, creating nothing, when started straight through Temporal with the worst settings', async () => {
    const { activities, calls } = mockActivities({
      readInputLimits: async () => ({ durationFloor: 'production', subscribedEventTypes: [] }),
    });
    await withTestWorker(
      async ({ taskQueue }) => {
        const worst = testInstallInput('worst-settings', {
          timeouts: {
            roleSubmission: '999999999 days',
            onboardingCallback: '999999999 days',
            roleReminder: '1 s',
            rolePropagation: -1,
            sandboxStack: 'forever',
            runnerCheckIn: Number.MAX_VALUE,
          },
          approval: { required: true, expiresAfter: '999999999 days' },
          reverifyEvery: '1 ms',
          historyEventLimit: 0,
          cur: { prefix: 'cur/*', firstReport: { pollEvery: '1 ms', overdueAfter: '1e9 days', pollsPerRun: 1e9 } },
        } as unknown as Partial<InstallInput>);
        const handle = await startInstall(client, taskQueue, worst);
        const failure = await within(
          handle.result().then(
            () => undefined,
            (error: unknown) => error,
          ),
          30_000,
          'the install',
        );
        expect(failure).toBeInstanceOf(WorkflowFailedError);
        expect(((failure as WorkflowFailedError).cause as ApplicationFailure).type).toBe('invalid_install_input');
        const status = await installStatus(handle);
        expect(status.phase).toBe('failed');
        expect(status.lastError).toMatchObject({ code: 'invalid_install_input', step: 'check_input' });
        for (const path of [
          '/timeouts/roleSubmission',
          '/timeouts/onboardingCallback',
          '/timeouts/roleReminder',
          '/timeouts/rolePropagation',
          '/timeouts/sandboxStack',
          '/timeouts/runnerCheckIn',
          '/approval/expiresAfter',
          '/reverifyEvery',
          '/historyEventLimit',
          '/cur/firstReport/pollEvery',
          '/cur/firstReport/overdueAfter',
          '/cur/firstReport/pollsPerRun',
        ]) {
          expect(status.lastError?.message).toContain(path);
        }
        expect(status.lastError?.message).toMatch(/prefix/);
        // No event is handed to the webhooks: the limits said no endpoint takes any.
        expect(calls.map((call) => call.name)).toEqual(['readInputLimits']);
        expect(await workflowTaskFailures(handle)).toBe(0);
      },
      { activityOverrides: activities },
    );
  });

  it('refuses production-short timers but starts with the same ones where the deployment allows them', async () => {
    const short = { timeouts: { roleReminder: '1 second' } } as Partial<InstallInput>;
    const production = mockActivities({
      readInputLimits: async () => ({ durationFloor: 'production', subscribedEventTypes: [] }),
    });
    await withTestWorker(
      async ({ taskQueue }) => {
        const handle = await startInstall(client, taskQueue, testInstallInput('short-timers-prod', short));
        await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
        expect((await installStatus(handle)).lastError?.message).toMatch(/\/timeouts\/roleReminder .*between 1 hour/);
      },
      { activityOverrides: production.activities },
    );
    const development = mockActivities();
    await withTestWorker(
      async ({ taskQueue }) => {
        const handle = await startInstall(client, taskQueue, testInstallInput('short-timers-dev', short));
        await waitForPhase(handle, 'awaiting_role');
        await handle.terminate('test done');
      },
      { activityOverrides: development.activities },
    );
  });

  it('answers a role ARN update that arrives with a deprovision, instead of leaving it pending forever', async () => {
    // The two arrive while a reminder is being sent, so the wait for the role sees both when the reminder returns.
    let releaseReminder: () => void = () => undefined;
    const reminderHeld = new Promise<void>((resolve) => (releaseReminder = resolve));
    const { activities, calls } = mockActivities({ sendRoleReminder: () => reminderHeld });
    await withTestWorker(
      async ({ taskQueue }) => {
        const handle = await startInstall(
          client,
          taskQueue,
          testInstallInput('arn-and-deprovision', { timeouts: { roleReminder: '1 second' } }),
        );
        await waitUntil(
          async () => calls.some((call) => call.name === 'sendRoleReminder'),
          (sent) => sent,
        );
        const update = await handle.startUpdate(submitRoleArnUpdate, {
          args: [{ roleArn }],
          waitForStage: WorkflowUpdateStage.ACCEPTED,
        });
        await handle.signal(deprovisionSignal, { reason: 'changed their mind' });
        releaseReminder();
        const answer = await within(update.result(), 30_000, 'the role ARN update');
        expect(answer).toMatchObject({ verified: false, error: { code: 'deprovision_requested' } });
        // Teardown of an install that created nothing takes no activity, so it may already be over.
        expect(['deprovisioning', 'deprovisioned']).toContain(answer.phase);
        const final = await within(handle.result(), 30_000, 'the install');
        expect(final.phase).toBe('deprovisioned');
      },
      { activityOverrides: activities },
    );
    expect(calls.map((call) => call.name)).not.toContain('verifyRoleAccess');
  });

  it('answers a verified role with the phase the install moved to, awaiting_approval when approval is required', async () => {
    const { activities } = mockActivities();
    await withTestWorker(
      async ({ taskQueue }) => {
        const handle = await startInstall(
          client,
          taskQueue,
          testInstallInput('outcome-phase', { approval: { required: true } }),
        );
        const outcome = await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
        expect(outcome).toMatchObject({ verified: true, phase: 'awaiting_approval' });
        await handle.terminate('test done');
      },
      { activityOverrides: activities },
    );
  });
});

describe('installWorkflow with production bounds, on a time-skipping server', () => {
  const timeSkipping = useTimeSkippingEnvironment();

  it('stops reminding after 30 reminders, however long the customer may take', async () => {
    const { activities, calls } = mockActivities({
      readInputLimits: async () => ({ durationFloor: 'production', subscribedEventTypes: [] }),
    });
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const input = testInstallInput('reminder-cap', {
        timeouts: { roleSubmission: '90 days', roleReminder: '1 hour', rolePropagation: '2 minutes' },
      });
      const handle = await startInstall(client, taskQueue, input);
      expect((await handle.result()).phase).toBe('expired');
      const final = await installStatus(handle);
      expect(final.remindersSent).toBe(30);
      expect(calls.filter((call) => call.name === 'sendRoleReminder')).toHaveLength(30);
      expect(Date.parse(final.phaseSince) - Date.parse(final.steps.check_input!.startedAt!)).toBeGreaterThanOrEqual(
        90 * 86_400_000,
      );
    });
  });
});
