import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CancelledFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import { requestDeprovisionUpdate } from '../../workflows/definitions';
import { type firstReportWatchWorkflow } from '../../workflows';
import { bucketExists, customerClients } from '../customer-account';
import { closeTestClient, testClient, waitUntil, withTestWorker } from '../helpers';
import { installStatus, onboardUntilActive, testInstallInput } from '../install-driver';

describe('first cost report watch, against the real dev server and moto', () => {
  let client: Client;

  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(() => closeTestClient());

  it('shows "waiting" until a manifest appears in the bucket, then records when it was delivered', async () => {
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('first-report', {
        cur: { firstReport: { pollEvery: '200 ms', pollsPerRun: 3 } },
      });
      const { handle, active } = await onboardUntilActive(client, taskQueue, input);
      expect(active.cur?.firstReport).toMatchObject({ state: 'waiting' });
      expect(active.cur?.firstDeliveredAt).toBeUndefined();

      // The watch keeps its history short: it continues as new after three polls.
      const watch = client.workflow.getHandle<typeof firstReportWatchWorkflow>(
        active.cur!.firstReport!.watchWorkflowId,
      );
      const firstRun = (await watch.describe()).runId;
      await waitUntil(
        async () => (await watch.describe()).runId,
        (runId) => runId !== firstRun,
      );

      const { bucket, prefix, reportName } = active.cur!;
      const manifestKey = `${prefix}/${reportName}/20261101-20261201/${reportName}-Manifest.json`;
      await customerClients().s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: manifestKey, Body: JSON.stringify({ reportKeys: [] }) }),
      );

      const delivered = await waitUntil(
        () => installStatus(handle),
        (status) => status.cur?.firstDeliveredAt !== undefined,
      );
      expect(delivered.cur?.firstReport).toMatchObject({ state: 'delivered', manifestKey });
      expect(Date.parse(delivered.cur!.firstDeliveredAt!)).toBeGreaterThan(
        Date.parse(active.cur!.firstReport!.since) - 1000,
      );
      await waitUntil(
        async () => (await watch.describe()).status.name,
        (state) => state === 'COMPLETED',
      );

      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      const final = await handle.result();
      expect(final.phase).toBe('deprovisioned');
      expect(final.leftovers).toEqual([]);
      expect(await bucketExists(bucket)).toBe(false);
    });
  });

  it('stops the watch when the install is deprovisioned before the first report arrives', async () => {
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('first-report-stop', { cur: { firstReport: { pollEvery: '1 hour' } } });
      const { handle, active } = await onboardUntilActive(client, taskQueue, input);
      const watch = client.workflow.getHandle(active.cur!.firstReport!.watchWorkflowId);

      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      const final = await handle.result();
      expect(final.phase).toBe('deprovisioned');
      expect((await installStatus(handle)).cur?.firstReport?.state).toBe('stopped');
      const ended = await watch.result().catch((error: unknown) => error);
      expect(ended).toBeInstanceOf(WorkflowFailedError);
      expect((ended as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    });
  });
});
