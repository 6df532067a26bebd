import { DeleteExportCommand, UpdateExportCommand, type Export } from '@aws-sdk/client-bcm-data-exports';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import { createActivities } from '../../activities';
import { dataExportsServicePrincipal } from '../../domain/data-export';
import { requestDeprovisionUpdate, type InstallStatus } from '../../workflows/definitions';
import { dataExportDefinitionFor } from '../../domain/install-requests';
import { bucketExists, bucketPolicy, customerClients, dataExportNamed, reportDefinition } from '../customer-account';
import { closeTestClient, testActivityDeps, testClient, waitUntil, withTestWorker } from '../helpers';
import { installStatus, onboardUntilActive, testInstallInput, waitForPhase } from '../install-driver';

/** The export with one table setting changed, as a customer editing it in the Billing console would leave it. */
function withTableSetting(original: Export, setting: string, value: string): Export {
  const tables = original.DataQuery!.TableConfigurations!;
  return {
    ...original,
    DataQuery: {
      ...original.DataQuery!,
      TableConfigurations: { COST_AND_USAGE_REPORT: { ...tables.COST_AND_USAGE_REPORT, [setting]: value } },
    },
  };
}

function accessOf(status: InstallStatus) {
  return {
    installId: status.installId,
    roleArn: status.role!.arn,
    externalId: status.onboarding!.externalId,
    region: status.region,
  };
}

describe('CUR 2.0 data exports, against the real dev server, moto and the Data Exports endpoint', () => {
  let client: Client;

  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(() => closeTestClient());

  it('sets up an export beside the legacy report, lets both services write to the bucket, and removes it all', async () => {
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('cur2-both', { cur: { kind: 'both' } });
      const { handle, active } = await onboardUntilActive(client, taskQueue, input);
      const cur = active.cur!;
      expect(cur.dataExport).toMatchObject({ result: 'created', exportArn: expect.stringMatching(/:export\//) });

      const created = await dataExportNamed(cur.dataExport!.name);
      expect(created?.ExportArn).toBe(cur.dataExport!.exportArn);
      expect(created?.DataQuery?.QueryStatement).toMatch(
        /^SELECT .*line_item_resource_id.* FROM COST_AND_USAGE_REPORT$/,
      );
      expect(created?.DataQuery?.TableConfigurations?.COST_AND_USAGE_REPORT).toMatchObject({
        TIME_GRANULARITY: 'DAILY',
        INCLUDE_RESOURCES: 'TRUE',
      });
      expect(created?.DestinationConfigurations?.S3Destination).toMatchObject({
        S3Bucket: cur.bucket,
        S3Prefix: cur.prefix,
        S3OutputConfigurations: { Format: 'PARQUET', Compression: 'PARQUET' },
      });
      expect(await reportDefinition(cur.reportName)).toBeDefined();
      const principals = (await bucketPolicy(cur.bucket)).Statement.map((statement) => statement.Principal);
      expect(principals).toEqual(
        expect.arrayContaining([{ Service: 'billingreports.amazonaws.com' }, { Service: dataExportsServicePrincipal }]),
      );

      // A retry whose first answer was lost finds the export it made instead of failing on the name.
      const again = await createActivities(await testActivityDeps()).defineDataExport({
        access: accessOf(active),
        definition: dataExportDefinitionFor(input, cur),
      });
      expect(again).toEqual({ exportArn: cur.dataExport!.exportArn, result: 'unchanged' });

      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      const final = await handle.result();
      expect(final.phase).toBe('deprovisioned');
      expect(final.leftovers).toEqual([]);
      expect(await dataExportNamed(cur.dataExport!.name)).toBeUndefined();
      expect(await reportDefinition(cur.reportName)).toBeUndefined();
      expect(await bucketExists(cur.bucket)).toBe(false);
    });
  });

  it('with CUR 2.0 alone, watches for its first manifest and degrades when the export is edited or deleted', async () => {
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('cur2-only', {
        cur: { kind: 'cur2', firstReport: { pollEvery: '200 ms' } },
        reverifyEvery: '500 ms',
      });
      const { handle, active } = await onboardUntilActive(client, taskQueue, input);
      const cur = active.cur!;
      expect(await reportDefinition(cur.reportName)).toBeUndefined();
      const exportName = cur.dataExport!.name;
      const original = (await dataExportNamed(exportName))!;

      // Data Exports delivers a manifest per billing period under <prefix>/<export>/metadata/.
      const manifestKey = `${cur.prefix}/${exportName}/metadata/BILLING_PERIOD=2026-11/${exportName}-Manifest.json`;
      await customerClients().s3.send(
        new PutObjectCommand({ Bucket: cur.bucket, Key: manifestKey, Body: JSON.stringify({ dataFiles: [] }) }),
      );
      const delivered = await waitUntil(
        () => installStatus(handle),
        (status) => status.cur?.firstDeliveredAt !== undefined,
      );
      expect(delivered.cur?.firstReport).toMatchObject({ state: 'delivered', manifestKey });

      const { dataExports } = customerClients();
      await dataExports.send(
        new UpdateExportCommand({
          ExportArn: original.ExportArn,
          Export: withTableSetting(original, 'TIME_GRANULARITY', 'HOURLY'),
        }),
      );
      const edited = await waitForPhase(handle, 'degraded');
      expect(edited.role?.drift).toMatchObject({ code: 'data_export_changed' });
      expect(edited.role?.drift?.message).toContain('TIME_GRANULARITY');

      await dataExports.send(new UpdateExportCommand({ ExportArn: original.ExportArn, Export: original }));
      await waitForPhase(handle, 'active');

      await dataExports.send(new DeleteExportCommand({ ExportArn: original.ExportArn }));
      const deleted = await waitForPhase(handle, 'degraded');
      expect(deleted.role?.drift).toMatchObject({ code: 'data_export_missing' });
      expect(deleted.role?.drift?.fix).toContain('recreate it');

      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      const final = await handle.result();
      expect(final.phase).toBe('deprovisioned');
      expect(final.leftovers).toEqual([]);
      expect(await bucketExists(cur.bucket)).toBe(false);
    });
  });
});
