import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { createActivities } from '../../activities';
import { freePort } from '../../devstack/ports';
import { startService, stopProcessAndWait } from '../../devstack/service-process';
import { devServerArgs, temporalIsServing } from '../../devstack/temporal';
import { locateTemporalCli } from '../../devstack/tools';
import { installResourceNames } from '../../domain/install-names';
import { requestDeprovisionUpdate, submitRoleArnUpdate } from '../../workflows/definitions';
import { bucketExists, reportDefinition, stackStatus } from '../customer-account';
import { createCustomerRole, stack, testActivityDeps } from '../helpers';
import { createInstallWorker } from '../../worker/install-worker';
import { checkInRunner, onboardingArtifacts, startInstall, testInstallInput, waitForPhase } from '../install-driver';

describe('a Temporal server restart', () => {
  it('loses no install: one waiting on its SQLite file carries on and completes after the restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restart-'));
    const [port, uiPort] = [await freePort(), await freePort()];
    const address = `127.0.0.1:${port}`;
    const startServer = () =>
      startService({
        name: 'Temporal dev server (restart test)',
        command: locateTemporalCli()!,
        args: devServerArgs({
          ip: '127.0.0.1',
          port,
          uiPort,
          dbFilename: join(dir, 'temporal.sqlite'),
          namespace: 'default',
        }),
        logFile: join(dir, 'temporal.log'),
        detached: false,
        isReady: () => temporalIsServing(address),
        readyTimeoutMs: 60_000,
      });
    let server = await startServer();
    const nativeConnection = await NativeConnection.connect({ address });
    const connection = await Connection.connect({ address });
    const client = new Client({ connection });
    const taskQueue = `restart-${randomUUID()}`;
    const worker = await createInstallWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: createActivities(await testActivityDeps()),
      workflowBundle: { code: readFileSync(stack.workflowBundlePath, 'utf8') },
    });
    const input = testInstallInput('restart');
    const names = installResourceNames(input);
    try {
      await worker.runUntil(async () => {
        const handle = await startInstall(client, taskQueue, input);
        const roleArn = await createCustomerRole(await onboardingArtifacts(handle, input));

        await stopProcessAndWait(server.pid, false);
        server = await startServer();

        await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
        await checkInRunner(handle, input.installId);
        await waitForPhase(handle, 'active');
        expect(await stackStatus(names.stackName)).toBe('CREATE_COMPLETE');
        await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
        const final = await handle.result();
        expect(final.phase).toBe('deprovisioned');
        expect(final.leftovers).toEqual([]);
        const runs = [];
        for await (const run of client.workflow.list({ query: `WorkflowId = '${input.installId}'` })) runs.push(run);
        expect(runs).toHaveLength(1);
      });
      expect(await stackStatus(names.stackName)).toBeUndefined();
      expect(await reportDefinition(names.curReportName)).toBeUndefined();
      expect(await bucketExists(names.curBucket)).toBe(false);
    } finally {
      await connection.close();
      await nativeConnection.close();
      await stopProcessAndWait(server.pid, false);
    }
  });
});
