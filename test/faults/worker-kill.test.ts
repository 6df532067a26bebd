import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateStage, type Client } from '@temporalio/client';
import { stopProcessAndWait } from '../../devstack/service-process';
import { installResourceNames } from '../../domain/install-names';
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
import { startWorkerProcess } from '../worker-process';

describe('worker processes killed with SIGKILL', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(() => closeTestClient());

  it('lose no install: killed while waiting for the role, mid-verification, at the hand-off and while active, it completes with one of everything', async () => {
    const taskQueue = `kill-${randomUUID()}`;
    const logDir = mkdtempSync(join(tmpdir(), 'worker-kill-'));
    const input = testInstallInput('sigkill', {
      timeouts: { rolePropagation: '3 minutes', runnerCheckIn: '5 minutes' },
    });
    const names = installResourceNames(input);
    let generation = 0;
    let worker = await startWorkerProcess({ taskQueue, logDir, name: `worker-${++generation}` });
    const killedIn: InstallPhase[] = [];
    const killAndRestart = async () => {
      killedIn.push((await installStatus(handle)).phase);
      process.kill(worker.pid!, 'SIGKILL');
      await stopProcessAndWait(worker.pid, false);
      worker = await startWorkerProcess({ taskQueue, logDir, name: `worker-${++generation}` });
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
        expect.stringMatching(/awaiting_role|verifying_role/),
        'handing_off',
        'active',
      ]);
      expect(await liveStacksNamed(names.stackName)).toBe(0);
      expect(await reportDefinition(names.curReportName)).toBeUndefined();
      expect(await bucketExists(names.curBucket)).toBe(false);
    } finally {
      await stopProcessAndWait(worker.pid, false);
    }
  }, 600_000);
});
