import type { Client } from '@temporalio/client';
import { createOnboardingActivities } from '../../activities/onboarding';
import { createWebhookActivities } from '../../activities/webhooks';
import { parseWebhookConfig, type WebhookConfig } from '../../domain/webhook-endpoints';
import { randomUUID } from 'node:crypto';
import {
  buildInstallEvent,
  installEventSignalName,
  installEventTypeNames,
  webhookDeliveryWorkflowId,
  type InstallCloudEvent,
} from '../../domain/webhook-events';
import { webhookDeliveryWorkflow } from '../../workflows';
import { webhookDeliveryStatusQuery } from '../../workflows/webhook-delivery';
import { requestDeprovisionUpdate, runnerCheckInUpdate, submitRoleArnUpdate } from '../../workflows/definitions';
import { closeTestClient, testActivityDeps, testClient, waitUntil, withTestWorker } from '../helpers';
import { installStatus, startInstall, testInstallInput, waitForPhase } from '../install-driver';
import { readableHistory } from '../support/history-scan';
import { mockActivities, permanentFailure } from '../workflows/mock-activities';
import { recordHistoryIfAsked } from '../workflows/record-history';
import { newWebhookSecret, startWebhookReceiver, type WebhookReceiver } from '../webhook-receiver';

const roleArn = 'arn:aws:iam::111111111111:role/install-access';
const registration = { registrationId: 'reg-1', tokenSha256: 'a'.repeat(64), runnerId: 'runner-1' };

/** Retries from 100 ms, at most a second apart: an outage of seconds stands for the hour the defaults ride out. */
function webhookConfig(url: string, secret: string): WebhookConfig {
  return parseWebhookConfig(
    JSON.stringify({
      endpoints: [{ id: 'vendor-backend', url, secret, eventTypes: installEventTypeNames }],
      delivery: { initialInterval: '100 ms', maximumInterval: '1 second', window: '1 hour' },
    }),
  );
}

function phasesOf(events: InstallCloudEvent[]): string[] {
  return events.filter((event) => event.type === 'install.phase.changed').map((event) => event.data.phase);
}

describe('webhooks: install events pushed to a real receiver, signed per Standard Webhooks', () => {
  let client: Client;
  let receiver: WebhookReceiver;
  let secret: string;
  beforeAll(async () => {
    client = await testClient();
  });
  beforeEach(async () => {
    secret = newWebhookSecret();
    receiver = await startWebhookReceiver(secret);
  });
  afterEach(() => receiver.close());
  afterAll(() => closeTestClient());

  /** The worker's webhook activities, and its limits, which tell the install the event types the endpoint takes. */
  async function webhookActivities() {
    const deps = await testActivityDeps({ webhooks: webhookConfig(receiver.url, secret) });
    return { ...createWebhookActivities(deps), readInputLimits: createOnboardingActivities(deps).readInputLimits };
  }

  it('delivers every phase change, the first report, drift, recovery and the deprovision, once each, in order, verifiable with the standardwebhooks library', async () => {
    let allowWithoutExternalId = false;
    const { activities } = mockActivities({
      ...(await webhookActivities()),
      findReportManifest: async () => ({ key: 'cur/report/manifest.json', deliveredAt: '2026-12-01T00:00:00.000Z' }),
      probeRoleWithoutExternalId: async () => ({
        withoutExternalId: allowWithoutExternalId ? ('allowed' as const) : ('refused' as const),
      }),
    });
    await withTestWorker(
      async ({ taskQueue }) => {
        const input = testInstallInput('webhooks', { reverifyEvery: '300 ms' });
        const handle = await startInstall(client, taskQueue, input);
        await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
        await waitUntil(
          () => installStatus(handle),
          (s) => s.runner !== undefined,
        );
        await handle.executeUpdate(runnerCheckInUpdate, { args: [registration] });
        await waitUntil(
          () => installStatus(handle),
          (s) => s.phase === 'active' && s.cur?.firstReport?.state === 'delivered',
        );
        allowWithoutExternalId = true;
        await waitForPhase(handle, 'degraded');
        allowWithoutExternalId = false;
        await waitForPhase(handle, 'active');
        await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
        await handle.result();
        const final = await installStatus(handle);

        // The delivery workflow ends once the install's last event is delivered.
        const delivery = client.workflow.getHandle(webhookDeliveryWorkflowId(input.installId));
        await delivery.result();
        await recordHistoryIfAsked(handle, 'webhook-events-lifecycle');
        await recordHistoryIfAsked(delivery, 'webhook-delivery-lifecycle');
        expect(receiver.received.every(({ verified }) => 'id' in verified)).toBe(true);
        const events = receiver.events();
        expect(events).toHaveLength(final.eventSequence!);
        expect(receiver.received).toHaveLength(events.length);
        expect(events.map((event) => event.data.sequence)).toEqual(events.map((_, index) => index + 1));
        expect(new Set(events.map((event) => event.type))).toEqual(
          // A rotation happens only when asked for (test/workflows/external-id-rotation.test.ts checks its events).
          new Set(
            installEventTypeNames.filter(
              (type) => type !== 'install.failed' && type !== 'install.external_id.rotation',
            ),
          ),
        );
        expect(phasesOf(events)).toEqual([
          'verifying_role',
          'provisioning_sandbox',
          'configuring_cur',
          'handing_off',
          'active',
          'degraded',
          'active',
          'deprovisioning',
          'deprovisioned',
        ]);
        for (const [index, { headers }] of receiver.received.entries()) {
          expect(headers['webhook-id']).toBe(events[index]!.id);
          expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
          expect(headers['content-type']).toBe('application/cloudevents+json');
        }
        const drift = events.find((event) => event.type === 'install.drift.detected')!;
        expect(drift).toMatchObject({
          specversion: '1.0',
          source: '/installs',
          subject: input.installId,
          datacontenttype: 'application/json',
          data: {
            installId: input.installId,
            orgId: input.orgId,
            drift: { code: 'external_id_not_enforced' },
            workflow: { workflowId: input.installId },
          },
        });
        expect(events.find((event) => event.type === 'install.first_report.delivered')?.data).toMatchObject({
          firstReport: { manifestKey: 'cur/report/manifest.json' },
        });
        expect(events.at(-1)).toMatchObject({ type: 'install.phase.changed', data: { phase: 'deprovisioned' } });
        expect(final.webhooks).toBeUndefined();

        // The workflows carry endpoint ids; the secret and the URL stay in the worker's configuration.
        const histories = await Promise.all(
          [input.installId, webhookDeliveryWorkflowId(input.installId)].map(async (workflowId) =>
            readableHistory(await client.workflow.getHandle(workflowId).fetchHistory()),
          ),
        );
        expect(histories[1]!.includes('vendor-backend')).toBe(true);
        for (const history of histories) {
          expect(history.includes(secret.slice('whsec_'.length))).toBe(false);
          expect(history.includes(receiver.url)).toBe(false);
        }
      },
      { activityOverrides: activities },
    );
  });

  it('tells of a failure: install.failed with the catalog code, then the failed phase as the last event', async () => {
    const { activities } = mockActivities({
      ...(await webhookActivities()),
      deploySandboxStack: permanentFailure('Stack creation refused', 'InsufficientCapabilitiesException'),
    });
    await withTestWorker(
      async ({ taskQueue }) => {
        const input = testInstallInput('webhooks-failed');
        const handle = await startInstall(client, taskQueue, input);
        await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
        await expect(handle.result()).rejects.toThrow();
        await client.workflow.getHandle(webhookDeliveryWorkflowId(input.installId)).result();
        const events = receiver.events();
        const failed = events.find((event) => event.type === 'install.failed');
        expect(failed?.data).toMatchObject({ phase: 'provisioning_sandbox', error: { code: expect.any(String) } });
        expect(events.at(-1)).toMatchObject({ type: 'install.phase.changed', data: { phase: 'failed' } });
        expect(events.map((event) => event.data.sequence)).toEqual(events.map((_, index) => index + 1));
      },
      { activityOverrides: activities },
    );
  });

  it('rides out a receiver outage: the status shows the failing endpoint, and once it answers every event arrives once, in order', async () => {
    receiver.answerWith(503);
    const { activities } = mockActivities(await webhookActivities());
    await withTestWorker(
      async ({ taskQueue }) => {
        const input = testInstallInput('webhooks-outage');
        const handle = await startInstall(client, taskQueue, input);
        await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
        await waitUntil(
          () => installStatus(handle),
          (s) => s.runner !== undefined,
        );
        await handle.executeUpdate(runnerCheckInUpdate, { args: [registration] });
        // The install goes on while its events wait; the status names the endpoint that fails them.
        const failing = await waitUntil(
          () => installStatus(handle),
          (s) => s.phase === 'active' && (s.webhooks?.[0]?.pending ?? 0) > 1,
        );
        expect(failing.webhooks).toEqual([
          {
            endpointId: 'vendor-backend',
            pending: expect.any(Number),
            lastError: expect.stringContaining('answered 503: receiver is down'),
            failingSince: expect.any(String),
            dropped: 0,
          },
        ]);
        expect(receiver.events()).toHaveLength(1);
        const attemptsDuringOutage = receiver.received.length;
        expect(attemptsDuringOutage).toBeGreaterThan(1);

        receiver.answerWith(204);
        const recovered = await waitUntil(
          () => installStatus(handle),
          (s) => s.webhooks === undefined,
        );
        await waitUntil(
          async () => receiver.events().length,
          (count) => count === recovered.eventSequence,
        );
        const events = receiver.events();
        expect(events.map((event) => event.data.sequence)).toEqual(events.map((_, index) => index + 1));
        expect(phasesOf(events)).toEqual([
          'verifying_role',
          'provisioning_sandbox',
          'configuring_cur',
          'handing_off',
          'active',
        ]);
        // Each event was accepted once: every request after the outage is a different webhook-id.
        const afterOutage = receiver.received.slice(attemptsDuringOutage).map(({ headers }) => headers['webhook-id']);
        expect(new Set(afterOutage).size).toBe(afterOutage.length);

        await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
        await handle.result();
        await client.workflow.getHandle(webhookDeliveryWorkflowId(input.installId)).result();
      },
      { activityOverrides: activities },
    );
  });

  it('continues its delivery workflow as new while an endpoint is down, and delivers everything once, in order, after', async () => {
    receiver.answerWith(503);
    const config = webhookConfig(receiver.url, secret);
    const { activities } = mockActivities(await webhookActivities());
    await withTestWorker(
      async ({ taskQueue }) => {
        const installId = `webhooks-can-${randomUUID().slice(0, 8)}`;
        const workflowId = webhookDeliveryWorkflowId(installId);
        let firstRunId: string | undefined;
        for (let sequence = 1; sequence <= 10; sequence++) {
          const event = buildInstallEvent({
            id: randomUUID(),
            type: 'install.phase.changed',
            time: new Date().toISOString(),
            data: {
              installId,
              orgId: 'org-test',
              awsAccountId: '111111111111',
              phase: 'active',
              sequence,
              workflow: { workflowId: installId, runId: 'r1' },
            },
          });
          const handle = await client.workflow.signalWithStart(webhookDeliveryWorkflow, {
            workflowId,
            taskQueue,
            // A small limit, so that failing rounds soon make the history long enough to continue as new.
            args: [{ installId, historyEventLimit: 40 }],
            signal: installEventSignalName,
            signalArgs: [
              { sequence, event, endpointIds: ['vendor-backend'], policy: config.delivery, last: sequence === 10 },
            ],
          });
          firstRunId ??= handle.signaledRunId;
        }
        const handle = client.workflow.getHandle<typeof webhookDeliveryWorkflow>(workflowId);
        await waitUntil(
          async () => (await handle.describe()).runId,
          (runId) => runId !== firstRunId,
        );
        receiver.answerWith(204);
        const final = await handle.result();
        expect(final.lanes).toEqual([expect.objectContaining({ delivered: 10, dropped: 0, queue: [] })]);
        expect(receiver.events().map((event) => event.data.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      },
      { activityOverrides: activities },
    );
  });

  it('drops an event still failing after the retry window, counts it, and goes on with the next', async () => {
    receiver.answerWith(503);
    const config = webhookConfig(receiver.url, secret);
    const { activities } = mockActivities(await webhookActivities());
    await withTestWorker(
      async ({ taskQueue }) => {
        const installId = `webhooks-window-${randomUUID().slice(0, 8)}`;
        const workflowId = webhookDeliveryWorkflowId(installId);
        // The first event is older than the window (1 hour) already: its first failing round is its last.
        const times = [new Date(Date.now() - 2 * 3_600_000).toISOString(), new Date().toISOString()];
        for (const [index, time] of times.entries()) {
          const sequence = index + 1;
          await client.workflow.signalWithStart(webhookDeliveryWorkflow, {
            workflowId,
            taskQueue,
            args: [{ installId }],
            signal: installEventSignalName,
            signalArgs: [
              {
                sequence,
                event: buildInstallEvent({
                  id: randomUUID(),
                  type: 'install.phase.changed',
                  time,
                  data: {
                    installId,
                    orgId: 'org-test',
                    awsAccountId: '111111111111',
                    phase: sequence === 2 ? 'deprovisioned' : 'active',
                    sequence,
                    workflow: { workflowId: installId, runId: 'r1' },
                  },
                }),
                endpointIds: ['vendor-backend'],
                policy: config.delivery,
                last: sequence === 2,
              },
            ],
          });
        }
        const handle = client.workflow.getHandle<typeof webhookDeliveryWorkflow>(workflowId);
        await waitUntil(
          () => handle.query(webhookDeliveryStatusQuery),
          (state) => state.lanes[0]?.dropped === 1,
        );
        receiver.answerWith(204);
        const final = await handle.result();
        expect(final.lanes).toEqual([expect.objectContaining({ delivered: 1, dropped: 1, queue: [] })]);
        expect(final.lanes[0]?.failingSince).toBeUndefined();
        // Both were tried; only the second was accepted.
        expect(receiver.events().map((event) => event.data.sequence)).toEqual([1, 2]);
        expect(receiver.received.at(-1)?.headers['webhook-id']).toBe(receiver.events()[1]?.id);
      },
      { activityOverrides: activities },
    );
  });
});
