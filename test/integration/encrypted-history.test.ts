import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { buildCodecServer } from '../../client/codec-server';
import { AesGcmPayloadCodec } from '../../security/payload-codec';
import { getStatusQuery, submitRoleArnUpdate } from '../../workflows/definitions';
import { stack, waitUntil, withTestWorker } from '../helpers';
import { startInstall, testInstallInput } from '../install-driver';
import { mockActivities } from '../workflows/mock-activities';

describe('payload encryption at rest, with a codec endpoint for the Temporal UI', () => {
  it('stores only ciphertext, while clients with the key and the codec endpoint read it in clear', async () => {
    const codec = new AesGcmPayloadCodec({ id: 'test', material: randomBytes(32) });
    const dataConverter = { payloadCodecs: [codec] };
    const connection = await Connection.connect({ address: stack.temporalAddress });
    const keyHolder = new Client({ connection, dataConverter });
    const outsider = new Client({ connection });
    const { activities } = mockActivities();
    try {
      await withTestWorker(
        async ({ taskQueue }) => {
          const input = testInstallInput('encrypted');
          const handle = await startInstall(keyHolder, taskQueue, input);
          await handle.executeUpdate(submitRoleArnUpdate, {
            args: [{ roleArn: 'arn:aws:iam::111111111111:role/install-access' }],
          });
          const status = await waitUntil(
            () => handle.query(getStatusQuery),
            (s) => s.phase === 'handing_off',
          );
          const externalId = status.onboarding!.externalId;

          const history = await outsider.workflow.getHandle(input.installId).fetchHistory();
          const payloads = (history.events ?? []).flatMap((event) => [
            ...(event.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
            ...(event.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
            ...(event.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
            // Local activities (the External ID's own) record their results in markers.
            ...Object.values(event.markerRecordedEventAttributes?.details ?? {}).flatMap((d) => d.payloads ?? []),
          ]);
          expect(payloads.length).toBeGreaterThan(5);
          const stored = payloads
            .map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('latin1'))
            .join('\n');
          expect(stored.includes(externalId)).toBe(false);
          expect(stored.includes(input.installId)).toBe(false);

          const ui = await buildCodecServer({ codec, allowedOrigin: 'http://127.0.0.1:8233' });
          try {
            const toJson = (payload: (typeof payloads)[number]) => ({
              metadata: Object.fromEntries(
                Object.entries(payload.metadata ?? {}).map(([key, value]) => [
                  key,
                  Buffer.from(value).toString('base64'),
                ]),
              ),
              data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
            });
            const url = await ui.listen({ host: '127.0.0.1', port: 0 });
            const response = await fetch(`${url}/decode`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1:8233' },
              body: JSON.stringify({ payloads: payloads.map(toJson) }),
            });
            expect(response.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
            const decoded = (
              (await response.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> }
            ).payloads;
            const clear = decoded.map((payload) =>
              defaultPayloadConverter.fromPayload({
                metadata: Object.fromEntries(
                  Object.entries(payload.metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
                ),
                data: Buffer.from(payload.data, 'base64'),
              }),
            );
            expect(JSON.stringify(clear)).toContain(externalId);
          } finally {
            await ui.close();
          }
          await handle.terminate('test done');
        },
        { activityOverrides: activities, dataConverter },
      );
    } finally {
      await connection.close();
    }
  });
});
