import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateStage, type Client } from '@temporalio/client';
import { stopProcessAndWait } from '../../devstack/service-process';
import { installResourceNames } from '../../domain/install-names';
import { installEventTypeNames, webhookDeliveryWorkflowId } from '../../domain/webhook-events';
import { requestDeprovisionUpdate, submitRoleArnUpdate, type InstallPhase } from '../../workflows/definitions';
import { bucketExists, liveStacksNamed, reportDefinition } from '../customer-account';
import { closeTestClient, createCustomerRole, testClient, waitUntil } from '../helpers';
import {
  checkInRunner,
  installStatus,
  onboardingArtifacts,
  startInstall,
  testInstallInput,
  waitForPhase,
} from '../install-driver';
import { newWebhookSecret, startWebhookReceiver } from '../webhook-receiver';
import { startWorkerProcess } from '../worker-process';

describe('worker processes killed with SIGKILL', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(() => closeTestClient());

  it('lose no install nor any of its events: killed while waiting for the role, mid-verification, at the hand-off and while active, it completes with one of everything, and the vendor has every event once, in order', async () => {
    const taskQueue = `kill-${randomUUID()}`;
    const logDir = mkdtempSync(join(tmpdir(), 'worker-kill-'));
    const secret = newWebhookSecret();
    const receiver = await startWebhookReceiver(secret);
    const endpointsFile = join(logDir, 'webhook-endpoints.json');
    writeFileSync(
      endpointsFile,
      JSON.stringify({
        endpoints: [{ id: 'vendor-backend', url: receiver.url, secret, eventTypes: installEventTypeNames }],
        delivery: { initialInterval: '100 ms', maximumInterval: '1 second' },
      }),
    );
    const env = { WEBHOOK_ENDPOINTS_FILE: endpointsFile };
    const input = testInstallInput('sigkill', {
      timeouts: { rolePropagation: '3 minutes', runnerCheckIn: '5 minutes' },
    });
    const names = installResourceNames(input);
    let generation = 0;
    let worker = await startWorkerProcess({ taskQueue, logDir, name: `worker-${++generation}`, env });
    const killedIn: InstallPhase[] = [];
    const killAndRestart = async () => {
      killedIn.push((await installStatus(handle)).phase);
      process.kill(worker.pid!, 'SIGKILL');
      await stopProcessAndWait(worker.pid, false);
      worker = await startWorkerProcess({ taskQueue, logDir, name: `worker-${++generation}`, env });
    };

    const handle = await startInstall(client, taskQueue, input);
    try {
      const roleArn = await createCustomerRole(await onboardingArtifacts(handle, input));
      await killAndRestart();

      const verification = await handle.startUpdate(submitRoleArnUpdate, {
        args: [{ roleArn }],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      await killAndRestart();
      expect(await verification.result()).toMatchObject({ verified: true });

      await waitUntil(
        () => installStatus(handle),
        (s) => s.phase === 'handing_off' && s.runner !== undefined,
        120_000,
      );
      await killAndRestart();
      await checkInRunner(handle, input.installId);
      await waitForPhase(handle, 'active', 120_000);
      expect(await liveStacksNamed(names.stackName)).toBe(1);
      expect(await bucketExists(names.curBucket)).toBe(true);
      await killAndRestart();

      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      const final = await handle.result();
      expect(final.phase).toBe('deprovisioned');
      expect(final.leftovers).toEqual([]);
      expect(killedIn).toEqual([
        'awaiting_role',
        // Read right after the update was accepted: verification, or, if this process stalled, the step after it.
        expect.stringMatching(/awaiting_role|verifying_role|provisioning_sandbox/),
        'handing_off',
        'active',
      ]);
      expect(await liveStacksNamed(names.stackName)).toBe(0);
      expect(await reportDefinition(names.curReportName)).toBeUndefined();
      expect(await bucketExists(names.curBucket)).toBe(false);

      await client.workflow.getHandle(webhookDeliveryWorkflowId(input.installId)).result();
      const events = receiver.events();
      expect(receiver.received.every(({ verified }) => 'id' in verified)).toBe(true);
      expect(events.map((event) => event.data.sequence)).toEqual(events.map((_, index) => index + 1));
      expect(events.filter((event) => event.type === 'install.phase.changed').map((event) => event.data.phase)).toEqual(
        [
          'verifying_role',
          'provisioning_sandbox',
          'configuring_cur',
          'handing_off',
          'active',
          'deprovisioning',
          'deprovisioned',
        ],
      );
      expect(events.map((event) => event.type)).toContain('install.deprovisioned');
    } finally {
      await stopProcessAndWait(worker.pid, false);
      await receiver.close();
    }
  }, 600_000);
});
