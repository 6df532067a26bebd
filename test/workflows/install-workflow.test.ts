import { activityInfo } from '@temporalio/activity';
import { type WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { nextSlotAfter } from '../../domain/install-slots';
import {
  decideApprovalUpdate,
  deprovisionSignal,
  getStatusQuery,
  requestDeprovisionUpdate,
  roleArnSubmittedSignal,
  runnerCheckInUpdate,
  submitRoleArnUpdate,
} from '../../workflows/definitions';
import { closeTestClient, testClient, waitUntil, withTestWorker } from '../helpers';
import { expectRoleRefused, installStatus, startInstall, testInstallInput, waitForPhase } from '../install-driver';
import { mockActivities, permanentFailure } from './mock-activities';
import { recordHistoryIfAsked } from './record-history';
import { useTimeSkippingEnvironment } from './time-skipping';

const roleArn = 'arn:aws:iam::111111111111:role/install-access';
const registration = { registrationId: 'reg-1', tokenSha256: 'a'.repeat(64), runnerId: 'runner-1' };

/** Role verified and runner checked in, with every activity mocked to succeed. */
async function activate(handle: Awaited<ReturnType<typeof startInstall>>): Promise<void> {
  await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
  await waitUntil(
    () => installStatus(handle),
    (s) => s.runner !== undefined,
  );
  await handle.executeUpdate(runnerCheckInUpdate, { args: [registration] });
}

/** An install that needs approval, its role verified, now waiting for the decision. */
async function startAwaitingApproval(client: Client, taskQueue: string, label: string) {
  const handle = await startInstall(client, taskQueue, testInstallInput(label, { approval: { required: true } }));
  await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
  return { handle, waiting: await waitForPhase(handle, 'awaiting_approval') };
}

function updateFailureType(error: unknown): string | undefined {
  return (error as WorkflowUpdateFailedError).cause instanceof Error
    ? ((error as WorkflowUpdateFailedError).cause as { type?: string }).type
    : undefined;
}

describe('installWorkflow logic, with activities mocked', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(() => closeTestClient());

  it('expires when no role arrives in time, after reminding the customer', async () => {
    const { activities, calls } = mockActivities();
    await withTestWorker(
      async ({ taskQueue }) => {
        const input = testInstallInput('expires', {
          // Reminders due at 3 s and 6 s, expiry at 7.5 s. How many are sent in real time depends on how late a
          // loaded machine runs the workflow's tasks (a CI run woke the second after the expiry), so the exact count
          // and times are checked on the time-skipping server below; this run records the history replayed.
          timeouts: { roleSubmission: '7500 ms', roleReminder: '3 seconds' },
        });
        const handle = await startInstall(client, taskQueue, input);
        const final = await handle.result();
        expect(final.phase).toBe('expired');
        const { remindersSent } = await installStatus(handle);
        expect(remindersSent).toBeGreaterThanOrEqual(1);
        await recordHistoryIfAsked(handle, 'expired-after-reminders');
        expect(calls.filter((call) => call.name === 'sendRoleReminder')).toHaveLength(remindersSent);
      },
      { activityOverrides: activities },
    );
  });

  it('ends an install deprovisioned before its role arrived without touching AWS', async () => {
    const { activities, calls } = mockActivities();
    await withTestWorker(
      async ({ taskQueue }) => {
        const handle = await startInstall(client, taskQueue, testInstallInput('early-deprovision'));
        await waitForPhase(handle, 'awaiting_role');
        await handle.signal(deprovisionSignal, { reason: 'customer changed their mind' });
        const final = await handle.result();
        expect(final.phase).toBe('deprovisioned');
        expect(final.leftovers).toEqual([]);
        // No event is handed to the webhooks: the limits said no endpoint takes any.
        expect(calls.map((call) => call.name)).toEqual(['readInputLimits', 'prepareOnboarding']);
      },
      { activityOverrides: activities },
    );
  });

  it('records a bad ARN sent as a signal and keeps waiting for a good one', async () => {
    const { activities } = mockActivities();
    await withTestWorker(
      async ({ taskQueue }) => {
        const handle = await startInstall(client, taskQueue, testInstallInput('bad-signal'));
        await waitForPhase(handle, 'awaiting_role');
        await handle.signal(roleArnSubmittedSignal, { roleArn: 'arn:aws:iam::111111111111:user/alice' });
        const status = await waitUntil(
          () => installStatus(handle),
          (s) => s.lastError !== undefined,
        );
        expect(status).toMatchObject({
          phase: 'awaiting_role',
          roleSubmissions: 0,
          lastError: { code: 'invalid_role_arn' },
        });
        expect(status.lastError?.message).toContain('IAM user');

        await handle.signal(roleArnSubmittedSignal, { roleArn });
        await waitForPhase(handle, 'handing_off');
        await handle.terminate('test done');
      },
      { activityOverrides: activities },
    );
  });

  it('accepts the runner check-in once, and only with the registration token', async () => {
    const { activities } = mockActivities();
    await withTestWorker(
      async ({ taskQueue }) => {
        const handle = await startInstall(client, taskQueue, testInstallInput('check-in'));
        await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
        await waitUntil(
          () => installStatus(handle),
          (s) => s.phase === 'handing_off' && s.runner !== undefined,
        );

        const forged = await handle
          .executeUpdate(runnerCheckInUpdate, { args: [{ ...registration, tokenSha256: 'b'.repeat(64) }] })
          .catch((e: unknown) => e);
        expect(updateFailureType(forged)).toBe('InvalidRunnerToken');

        await handle.executeUpdate(runnerCheckInUpdate, { args: [registration] });
        await waitForPhase(handle, 'active');
        const replayed = await handle
          .executeUpdate(runnerCheckInUpdate, { args: [registration] })
          .catch((e: unknown) => e);
        expect(updateFailureType(replayed)).toBe('WrongPhase');
        expect((await handle.query(getStatusQuery)).runner?.runnerId).toBe('runner-1');
        await handle.terminate('test done');
      },
      { activityOverrides: activities },
    );
  });

  it('keeps what a failed phase created when asked to, for debugging', async () => {
    const { activities, calls } = mockActivities({
      defineCostReport: permanentFailure('bad definition', 'ValidationException'),
    });
    await withTestWorker(
      async ({ taskQueue }) => {
        const input = testInstallInput('keep-on-failure', { keepResourcesOnFailure: true });
        const handle = await startInstall(client, taskQueue, input);
        await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
        await expect(handle.result()).rejects.toMatchObject({ cause: { type: 'cur_settings_refused' } });
        expect(calls.map((call) => call.name)).not.toContain('deleteSandboxStack');
        expect((await handle.query(getStatusQuery)).sandbox?.stackId).toBeDefined();
      },
      { activityOverrides: activities },
    );
  });

  it('reports what teardown could not remove instead of dropping it', async () => {
    const { activities } = mockActivities({
      deleteCostReport: permanentFailure('not allowed', 'AccessDeniedException'),
    });
    await withTestWorker(
      async ({ taskQueue }) => {
        const input = testInstallInput('leftovers');
        const handle = await startInstall(client, taskQueue, input);
        await activate(handle);
        await waitForPhase(handle, 'active');
        await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
        const again = await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] }).catch((e: unknown) => e);
        expect(updateFailureType(again)).toBe('AlreadyDeprovisioning');

        const final = await handle.result();
        expect(final.phase).toBe('deprovisioned');
        expect(final.leftovers).toEqual([
          { resource: 'cur report definition', identifier: `install-${input.installId}`, reason: 'not allowed' },
        ]);
        await recordHistoryIfAsked(handle, 'deprovision-with-leftovers');
      },
      { activityOverrides: activities },
    );
  });

  it('sends the install back to awaiting_role when the role also accepts a wrong External ID, then verifies the fixed role', async () => {
    let wrongIdAnswer: 'allowed' | 'refused' = 'allowed';
    const { activities } = mockActivities({
      probeRoleWithWrongExternalId: async () => ({ withWrongExternalId: wrongIdAnswer }),
    });
    await withTestWorker(
      async ({ taskQueue }) => {
        const handle = await startInstall(client, taskQueue, testInstallInput('wrong-id-accepted'));
        const status = await expectRoleRefused(handle, roleArn, 'external_id_not_pinned');
        expect(status.role).toMatchObject({ withoutExternalId: 'refused', withWrongExternalId: 'allowed' });
        expect(status.lastError?.fix).toContain('as the only value');

        wrongIdAnswer = 'refused';
        await activate(handle);
        await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
        expect((await handle.result()).phase).toBe('deprovisioned');
        expect((await installStatus(handle)).role).toMatchObject({
          withWrongExternalId: 'refused',
          trustPolicyFindings: [],
        });
        await recordHistoryIfAsked(handle, 'trust-policy-refused-then-verified');
      },
      { activityOverrides: activities },
    );
  });

  it('reports a trust policy the role may not read only once the permission preflight finds nothing missing', async () => {
    let missing = ['iam:GetRole on arn:aws:iam::111111111111:role/*'];
    const unreadable = { code: 'trust_policy_unreadable' as const, statement: '', problem: 'iam:GetRole was refused' };
    const { activities } = mockActivities({
      checkRoleTrustPolicy: async () => ({ findings: [unreadable] }),
      checkRolePermissions: async () => ({ missing, conditional: [] }),
    });
    await withTestWorker(
      async ({ taskQueue }) => {
        const handle = await startInstall(client, taskQueue, testInstallInput('trust-unreadable'));
        const first = await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
        expect(first).toMatchObject({ verified: false, error: { code: 'missing_permissions' } });

        missing = [];
        const second = await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
        expect(second).toMatchObject({
          verified: false,
          phase: 'awaiting_role',
          error: { code: 'trust_policy_unreadable' },
        });
        const status = await waitForPhase(handle, 'awaiting_role');
        expect(status.role?.trustPolicyFindings).toEqual([unreadable]);
        expect(status.lastError?.fix).toContain('iam:GetRole');
        await handle.terminate('test done');
      },
      { activityOverrides: activities },
    );
  });

  it('degrades an active install whose trust policy is widened later, naming the catalog fix', async () => {
    let widened = false;
    const { activities } = mockActivities({
      checkRoleTrustPolicy: async () => ({
        findings: widened
          ? [
              {
                code: 'trust_policy_allows_anyone' as const,
                statement: 'Open',
                problem: 'Principal names {"AWS": "*"}',
              },
            ]
          : [],
      }),
    });
    await withTestWorker(
      async ({ taskQueue }) => {
        const handle = await startInstall(
          client,
          taskQueue,
          testInstallInput('trust-drift', { reverifyEvery: '300 ms' }),
        );
        await activate(handle);
        await waitForPhase(handle, 'active');
        widened = true;
        const degraded = await waitForPhase(handle, 'degraded');
        expect(degraded.role?.drift).toMatchObject({ code: 'trust_policy_allows_anyone' });
        expect(degraded.role?.drift?.message).toContain('Open: Principal names {"AWS": "*"}');
        expect(degraded.role?.drift?.fix).toContain('vendor principal ARN');
        expect(degraded.role?.trustPolicyFindings).toHaveLength(1);
        await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
        expect((await handle.result()).phase).toBe('deprovisioned');
        await recordHistoryIfAsked(handle, 'trust-policy-drift');
      },
      { activityOverrides: activities },
    );
  });

  it('sets up a CUR 2.0 data export instead of the legacy report when asked, watches its manifest and removes it', async () => {
    const { activities, calls } = mockActivities();
    await withTestWorker(
      async ({ taskQueue }) => {
        const handle = await startInstall(client, taskQueue, testInstallInput('cur2', { cur: { kind: 'cur2' } }));
        await activate(handle);
        const active = await waitForPhase(handle, 'active');
        expect(active.cur?.dataExport).toMatchObject({ name: active.cur?.reportName, result: 'created' });
        expect(active.cur?.reportDefinition).toBeUndefined();
        const called = (name: string) => calls.filter((call) => call.name === name);
        expect(called('defineCostReport')).toHaveLength(0);
        expect(called('applyCurBucketPolicy')[0]?.input).toMatchObject({ kind: 'cur2' });
        expect(called('findReportManifest')[0]?.input).toMatchObject({
          keyPrefix: `${active.cur?.prefix}/${active.cur?.dataExport?.name}/metadata/`,
        });

        await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
        const final = await handle.result();
        expect(final.leftovers).toEqual([]);
        expect(called('deleteDataExport')[0]?.input).toMatchObject({ exportArn: active.cur?.dataExport?.exportArn });
        expect(called('deleteCostReport')).toHaveLength(0);
      },
      { activityOverrides: activities },
    );
  });

  it("waits for approval showing CloudFormation's change set, and executes exactly that change set once approved", async () => {
    const { activities, calls } = mockActivities();
    await withTestWorker(
      async ({ taskQueue }) => {
        const { handle, waiting } = await startAwaitingApproval(client, taskQueue, 'approve');
        expect(waiting.approval?.plan.join('\n')).toMatch(
          /CloudFormation stack install-approve-.*-sandbox .*: Add AWS::S3::Bucket RunnerArtifacts\n.*Add AWS::SQS::Queue RunnerJobs[\s\S]*Cost and Usage Report/,
        );
        const changeSetId = waiting.approval?.changeSet?.changeSetId;
        expect(changeSetId).toBeDefined();
        expect(calls.map((call) => call.name)).not.toContain('executeSandboxChangeSet');
        await handle.executeUpdate(decideApprovalUpdate, { args: [{ approve: true, by: 'alice@customer' }] });
        const handingOff = await waitForPhase(handle, 'handing_off');
        expect(handingOff.approval).toMatchObject({ decision: 'approved', decidedBy: 'alice@customer' });
        expect(calls.find((call) => call.name === 'executeSandboxChangeSet')?.input).toMatchObject({ changeSetId });
        expect(calls.map((call) => call.name)).not.toContain('deploySandboxStack');
        await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
        expect((await handle.result()).phase).toBe('deprovisioned');
        await recordHistoryIfAsked(handle, 'approved-with-change-set');
      },
      { activityOverrides: activities },
    );
  });

  it('ends a rejected install without creating anything, and refuses a second decision', async () => {
    // The removal of the change set's empty stack is held, so the second decision reaches the open workflow.
    let releaseRemoval: () => void = () => undefined;
    const removalHeld = new Promise<void>((resolve) => (releaseRemoval = resolve));
    const { activities, calls } = mockActivities({
      deleteSandboxStack: async () => {
        await removalHeld;
      },
    });
    await withTestWorker(
      async ({ taskQueue }) => {
        const { handle } = await startAwaitingApproval(client, taskQueue, 'reject');
        await handle.executeUpdate(decideApprovalUpdate, {
          args: [{ approve: false, by: 'bob', reason: 'not this quarter' }],
        });
        await waitUntil(
          async () => calls.some((call) => call.name === 'deleteSandboxStack'),
          (called) => called,
        );
        try {
          const again = await handle
            .executeUpdate(decideApprovalUpdate, { args: [{ approve: true, by: 'mallory' }] })
            .catch((e: unknown) => e);
          expect(updateFailureType(again)).toBe('WrongPhase');
          expect((await handle.describe()).status.name).toBe('RUNNING');
        } finally {
          releaseRemoval(); // a failed expectation must not leave the worker waiting on the held activity
        }

        expect((await handle.result()).phase).toBe('rejected');
        const final = await installStatus(handle);
        expect(final).toMatchObject({
          phase: 'rejected',
          approval: { decision: 'rejected', decidedBy: 'bob', reason: 'not this quarter' },
        });
        expect(calls.map((call) => call.name)).not.toContain('executeSandboxChangeSet');
        // The change set's empty stack is removed: a "no" leaves nothing behind.
        expect(calls.find((call) => call.name === 'deleteSandboxStack')?.input).toMatchObject({
          stackName: final.approval?.changeSet?.stackId,
        });
      },
      { activityOverrides: activities },
    );
  });

  it('fails with the reason when CloudFormation cannot plan the sandbox, and removes the empty stack', async () => {
    const { activities, calls } = mockActivities({
      waitForSandboxChangeSet: permanentFailure(
        'CloudFormation could not plan the sandbox: FAILED: quota',
        'ChangeSetFailed',
      ),
    });
    await withTestWorker(
      async ({ taskQueue }) => {
        const input = testInstallInput('plan-fails', { approval: { required: true } });
        const handle = await startInstall(client, taskQueue, input);
        await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
        await expect(handle.result()).rejects.toMatchObject({ cause: { type: 'sandbox_plan_failed' } });
        const status = await handle.query(getStatusQuery);
        expect(status.phase).toBe('failed');
        expect(status.lastError).toMatchObject({ code: 'sandbox_plan_failed', step: 'plan_sandbox' });
        expect(calls.find((call) => call.name === 'deleteSandboxStack')?.input).toMatchObject({
          stackName: status.sandbox?.stackId,
        });
        expect(calls.map((call) => call.name)).not.toContain('executeSandboxChangeSet');
      },
      { activityOverrides: activities },
    );
  });
});

const hour = 3_600_000;
/** How long after a slot its check may start: the timer's workflow task and the activity's scheduling. */
const slotTolerance = 10_000;
/** How far `at` lies after the install's last re-verification slot. */
function sinceSlot(installId: string, periodMs: number, at: number): number {
  return at - (nextSlotAfter(installId, 'reverify', periodMs, at) - periodMs);
}

describe('installWorkflow timers with production bounds, on a time-skipping server', () => {
  const timeSkipping = useTimeSkippingEnvironment();
  const production = {
    readInputLimits: async () => ({ durationFloor: 'production' as const, subscribedEventTypes: [] }),
  };
  /**
   * The install's default timeouts (production ones), but for the few a test is about. Without the first-report watch
   * unless a test asks for it: a watch child still open when its test's worker stops leaves a task pending that holds
   * the server's clock for the tests after it.
   */
  const productionInput = (label: string, overrides: Partial<Parameters<typeof testInstallInput>[1]> = {}) =>
    testInstallInput(label, { timeouts: {}, cur: { firstReport: { watch: false } }, ...overrides });

  it('reports a first cost report that is later than AWS promises (48 hours), then records its delivery', async () => {
    let manifestKey: string | undefined;
    const polledAt: number[] = [];
    const { activities } = mockActivities({
      ...production,
      findReportManifest: async () => {
        polledAt.push(activityInfo().currentAttemptScheduledTimestampMs);
        return manifestKey ? { key: manifestKey, deliveredAt: '2026-11-23T02:00:00.000Z' } : {};
      },
    });
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const handle = await startInstall(client, taskQueue, productionInput('late-report', { cur: {} }));
      await activate(handle);
      await timeSkipping.env.sleep('47 hours');
      expect((await installStatus(handle)).cur?.firstReport?.state).toBe('waiting');
      await timeSkipping.env.sleep('2 hours');
      const overdue = await waitUntil(
        () => installStatus(handle),
        (status) => status.cur?.firstReport?.state === 'overdue',
      );
      expect(overdue.phase).toBe('active');
      expect(overdue.cur?.firstReport?.problem).toMatchObject({ code: 'cur_first_report_overdue' });
      expect(overdue.cur?.firstReport?.problem?.fix).toContain('billingreports.amazonaws.com');

      manifestKey = 'cur/x/r/20261101-20261201/r-Manifest.json';
      await timeSkipping.env.sleep('31 minutes');
      const delivered = await waitUntil(
        () => installStatus(handle),
        (status) => status.cur?.firstReport?.state === 'delivered',
      );
      expect(delivered.cur).toMatchObject({ firstDeliveredAt: '2026-11-23T02:00:00.000Z' });
      expect(delivered.cur?.firstReport).toMatchObject({ manifestKey });
      expect(delivered.cur?.firstReport?.problem).toBeUndefined();
      // The first poll at once, every later one on the install's poll slots, every 30 minutes.
      expect(polledAt.length).toBeGreaterThan(90);
      for (const at of polledAt.slice(1)) {
        const lastSlot = nextSlotAfter(handle.workflowId, 'first-report-poll', 30 * 60_000, at) - 30 * 60_000;
        expect(at - lastSlot).toBeLessThan(slotTolerance);
      }
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
      // Teardown cancelled the watch; let it close while this test's worker runs, or its pending task would hold
      // the server's clock for the tests after this one.
      const watch = client.workflow.getHandle(delivered.cur!.firstReport!.watchWorkflowId);
      await watch.result().catch(() => undefined);
    });
  });

  it('re-verifies an active install on its own slots, offset + k·period, once a period', async () => {
    const scheduledAt: number[] = [];
    const { activities } = mockActivities({
      ...production,
      verifyRoleAccess: async () => {
        // The server's clock, which time skipping moves ahead of this process's.
        scheduledAt.push(activityInfo().currentAttemptScheduledTimestampMs);
        return { assumedRoleArn: 'arn:aws:sts::111111111111:assumed-role/install-access/s', accountId: '111111111111' };
      },
    });
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const input = productionInput('slots', { reverifyEvery: '1 hour' });
      const handle = await startInstall(client, taskQueue, input);
      await activate(handle);
      const activatedAt = Date.parse((await waitForPhase(handle, 'active')).phaseSince);
      await timeSkipping.env.sleep('5 hours');
      const checks = await waitUntil(
        async () => (await installStatus(handle)).role?.lastCheckedAt,
        (lastCheckedAt) => lastCheckedAt !== undefined && Date.parse(lastCheckedAt) >= activatedAt + 4 * hour,
      ).then(() => scheduledAt.slice(1)); // the first was onboarding's verification

      expect(checks.length).toBeGreaterThanOrEqual(4);
      expect(checks[0]! - activatedAt).toBeLessThanOrEqual(hour + slotTolerance);
      for (const at of checks) expect(sinceSlot(input.installId, hour, at)).toBeLessThan(slotTolerance);
      for (let k = 1; k < checks.length; k++) {
        expect(Math.abs(checks[k]! - checks[k - 1]! - hour)).toBeLessThan(slotTolerance);
      }
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
    });
  });

  it('continues as new while active when history reaches its limit, keeping its status, and still deprovisions', async () => {
    const { activities, calls } = mockActivities(production);
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const input = productionInput('long-lived', { reverifyEvery: '5 minutes', historyEventLimit: 1_000 });
      const handle = await startInstall(client, taskQueue, input);
      await activate(handle);
      const firstRunId = (await handle.describe()).runId;
      // An hour of checks at a time until the run turns over (within 2 hours), rather than a fixed 12 hours whose
      // last 10 the test server spent running checks nobody looked at.
      let skipped = 0;
      while ((await handle.describe()).runId === firstRunId) {
        if (skipped++ === 12) throw new Error('No continue-as-new after 12 hours of checks every 5 minutes');
        await timeSkipping.env.sleep('1 hour');
      }
      const carried = await handle.query(getStatusQuery);
      expect(carried).toMatchObject({ phase: 'active', role: { arn: roleArn }, runner: { runnerId: 'runner-1' } });

      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
      expect(calls.filter((call) => call.name === 'deploySandboxStack')).toHaveLength(1);
      expect(calls.map((call) => call.name)).toContain('deleteSandboxStack');
    });
  });

  it('reminds the customer once every roleReminder while the role does not come, then expires at roleSubmission', async () => {
    const remindedAt: number[] = [];
    const { activities } = mockActivities({
      ...production,
      sendRoleReminder: async () => {
        remindedAt.push(activityInfo().currentAttemptScheduledTimestampMs);
      },
    });
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const input = productionInput('reminders', { timeouts: { roleSubmission: '7 days', roleReminder: '2 days' } });
      const handle = await startInstall(client, taskQueue, input);
      const waitingSince = Date.parse((await waitForPhase(handle, 'awaiting_role')).phaseSince);
      expect((await handle.result()).phase).toBe('expired');
      const final = await installStatus(handle);
      expect(final.remindersSent).toBe(3);
      // Each within a minute (the timer's workflow task, the activity's scheduling) after 2, 4 and 6 days.
      const late = remindedAt.map((at, k) => at - waitingSince - (k + 1) * 2 * 86_400_000);
      expect(late).toHaveLength(3);
      for (const ms of late) expect(ms).toBeGreaterThanOrEqual(0);
      for (const ms of late) expect(ms).toBeLessThan(60_000);
      expect(Date.parse(final.phaseSince) - waitingSince).toBeGreaterThanOrEqual(7 * 86_400_000);
    });
  });

  it('removes what it created and fails when the runner never checks in', async () => {
    const { activities, calls } = mockActivities(production);
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const handle = await startInstall(client, taskQueue, productionInput('no-runner'));
      await handle.signal(roleArnSubmittedSignal, { roleArn });
      await expect(handle.result()).rejects.toMatchObject({ cause: { type: 'runner_check_in_timed_out' } });
      const status = await handle.query(getStatusQuery);
      expect(status.phase).toBe('failed');
      expect(status.steps.runner_check_in?.state).toBe('failed');
      expect(calls.map((call) => call.name)).toEqual(
        expect.arrayContaining([
          'deleteCostReport',
          'deleteSandboxStack',
          'waitForSandboxStackDeletion',
          'deleteCurBucket',
        ]),
      );
    });
  });

  it('expires an approval nobody gave in time', async () => {
    const { activities, calls } = mockActivities(production);
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const input = productionInput('approval-expires', { approval: { required: true, expiresAfter: '7 days' } });
      const handle = await startInstall(client, taskQueue, input);
      await handle.signal(roleArnSubmittedSignal, { roleArn });
      expect((await handle.result()).phase).toBe('expired');
      const final = await installStatus(handle);
      expect(final.lastError).toMatchObject({ code: 'approval_expired' });
      expect(Date.parse(final.phaseSince) - Date.parse(final.approval!.requestedAt)).toBeGreaterThanOrEqual(
        7 * 86_400_000,
      );
      expect(calls.map((call) => call.name)).not.toContain('executeSandboxChangeSet');
      expect(calls.map((call) => call.name)).toContain('deleteSandboxStack');
    });
  });

  it('degrades an active install whose role stops working, with the reason and fix, and restores it when it works again', async () => {
    let roleWorks = true;
    const { activities } = mockActivities({
      ...production,
      verifyRoleAccess: async () => {
        if (!roleWorks) return permanentFailure('role deleted', 'RoleNotAssumable')();
        return { assumedRoleArn: 'arn:aws:sts::111111111111:assumed-role/install-access/s', accountId: '111111111111' };
      },
    });
    await timeSkipping.run(activities, async (client, taskQueue) => {
      const input = productionInput('drift', { reverifyEvery: '1 hour' });
      const handle = await startInstall(client, taskQueue, input);
      await activate(handle);
      await waitForPhase(handle, 'active');
      roleWorks = false;
      await timeSkipping.env.sleep('61 minutes');
      const degraded = await waitForPhase(handle, 'degraded');
      expect(degraded.role?.drift).toMatchObject({ code: 'role_not_assumable', message: 'role deleted' });
      expect(degraded.role?.drift?.fix).toContain('onboarding kit');
      // Found by the check on the install's slot, not at once.
      expect(sinceSlot(input.installId, hour, Date.parse(degraded.role!.drift!.at))).toBeLessThan(slotTolerance);

      roleWorks = true;
      await timeSkipping.env.sleep('61 minutes');
      const restored = await waitForPhase(handle, 'active');
      expect(restored.role?.drift).toBeUndefined();
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
    });
  });
});
