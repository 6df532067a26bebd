import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { stopProcessAndWait } from '../../devstack/service-process';
import {
  buildInstallEvent,
  defaultWebhookDeliveryPolicy,
  installEventSignalName,
  webhookDeliveryWorkflowId,
  type InstallEventEnvelope,
} from '../../domain/webhook-events';
import { webhookDeliveryWorkflow } from '../../workflows';
import { closeTestClient, testClient } from '../helpers';
import { newWebhookSecret, startWebhookReceiver } from '../webhook-receiver';
import { startWorkerProcess } from '../worker-process';

describe('webhook deliveries across a worker killed with SIGKILL', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(() => closeTestClient());

  it('deliver every event once to a receiver that dedupes by webhook-id, in order, though the worker died between a POST and its completion', async () => {
    const secret = newWebhookSecret();
    const receiver = await startWebhookReceiver(secret);
    const dir = mkdtempSync(join(tmpdir(), 'webhook-kill-'));
    const endpointsFile = join(dir, 'webhook-endpoints.json');
    writeFileSync(
      endpointsFile,
      JSON.stringify({
        endpoints: [{ id: 'vendor-backend', url: receiver.url, secret, eventTypes: ['install.phase.changed'] }],
        delivery: { initialInterval: '100 ms', maximumInterval: '1 second' },
      }),
    );
    const taskQueue = `webhook-kill-${randomUUID()}`;
    const env = { WEBHOOK_ENDPOINTS_FILE: endpointsFile };
    let worker = await startWorkerProcess({ taskQueue, logDir: dir, name: 'worker-1', env });
    const installId = `webhook-kill-${randomUUID().slice(0, 8)}`;
    const phases = [
      'verifying_role',
      'provisioning_sandbox',
      'configuring_cur',
      'handing_off',
      'active',
      'deprovisioning',
      'deprovisioned',
    ];
    try {
      // The response to the third event is held until the worker that sent it is dead.
      receiver.holdWhen((event) => event.data.sequence === 3);
      // What the install's publishInstallEvent does for each event, in order (activities/webhooks.ts).
      for (const [index, phase] of phases.entries()) {
        const sequence = index + 1;
        const envelope: InstallEventEnvelope = {
          sequence,
          event: buildInstallEvent({
            id: randomUUID(),
            type: 'install.phase.changed',
            time: new Date().toISOString(),
            data: {
              installId,
              orgId: 'org-test',
              awsAccountId: '111111111111',
              phase,
              sequence,
              workflow: { workflowId: installId, runId: 'r1' },
            },
          }),
          endpointIds: ['vendor-backend'],
          policy: { ...defaultWebhookDeliveryPolicy, initialInterval: '100 ms', maximumInterval: '1 second' },
          ...(sequence === phases.length ? { last: true } : {}),
        };
        await client.workflow.signalWithStart(webhookDeliveryWorkflow, {
          workflowId: webhookDeliveryWorkflowId(installId),
          taskQueue,
          args: [{ installId }],
          signal: installEventSignalName,
          signalArgs: [envelope],
        });
      }
      await receiver.whenHolding();
      process.kill(worker.pid!, 'SIGKILL');
      await stopProcessAndWait(worker.pid, false);
      receiver.release();
      worker = await startWorkerProcess({ taskQueue, logDir: dir, name: 'worker-2', env });

      const final = await client.workflow
        .getHandle<typeof webhookDeliveryWorkflow>(webhookDeliveryWorkflowId(installId))
        .result();
      expect(final.lanes).toEqual([
        expect.objectContaining({ endpointId: 'vendor-backend', delivered: 7, dropped: 0, queue: [] }),
      ]);
      expect(receiver.received.every(({ verified }) => 'id' in verified)).toBe(true);
      const events = receiver.events();
      expect(events.map((event) => event.data.phase)).toEqual(phases);
      // The third was POSTed again by the new worker, with the same webhook-id: the receiver kept it once.
      const ids = receiver.received.map(({ headers }) => headers['webhook-id']);
      expect(ids.filter((id) => id === events[2]!.id).length).toBeGreaterThanOrEqual(2);
      expect(new Set(ids).size).toBe(phases.length);
    } finally {
      await stopProcessAndWait(worker.pid, false);
      await receiver.close();
    }
  }, 300_000);
});
