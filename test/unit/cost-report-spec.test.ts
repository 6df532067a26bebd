import {
  CostAndUsageReportServiceClient,
  DescribeReportDefinitionsCommand,
  PutReportDefinitionCommand,
} from '@aws-sdk/client-cost-and-usage-report-service';
import { MockActivityEnvironment } from '@temporalio/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { createCostReportActivities } from '../../activities/cost-report';
import type { ActivityDeps } from '../../activities/deps';
import { renderCostReportDefinition, type CostReportDefinition } from '../../domain/cost-report';
import { costReportSpecFor } from '../../domain/install-requests';
import { fakeSessions, testAccess } from './aws-fakes';

const cur = mockClient(CostAndUsageReportServiceClient);
const deps = {
  sessions: fakeSessions({ cur: new CostAndUsageReportServiceClient({ region: 'us-east-1' }) }),
} as ActivityDeps;
const { defineCostReport, inspectCostReport } = createCostReportActivities(deps);
const names = { reportName: 'install-i-1', bucket: 'cur-111111111111-i-1', prefix: 'cur/i-1' };

describe('cost report activities sent a spec instead of the whole definition', () => {
  beforeEach(() => cur.reset());

  it('sends only what differs from the defaults, and puts the same definition the defaults render', async () => {
    const spec = costReportSpecFor({ region: 'eu-west-1' }, names);
    expect(spec).toEqual({ ...names, bucketRegion: 'eu-west-1' });
    cur.on(PutReportDefinitionCommand).resolves({});
    await new MockActivityEnvironment().run(defineCostReport, { access: testAccess, spec });
    expect(cur.commandCalls(PutReportDefinitionCommand)[0]?.args[0].input.ReportDefinition).toEqual({
      ReportName: 'install-i-1',
      TimeUnit: 'DAILY',
      Format: 'textORcsv',
      Compression: 'GZIP',
      AdditionalSchemaElements: ['RESOURCES'],
      S3Bucket: names.bucket,
      S3Prefix: names.prefix,
      S3Region: 'eu-west-1',
      RefreshClosedReports: true,
      ReportVersioning: 'OVERWRITE_REPORT',
    });
  });

  it('carries an install’s own format and versioning', async () => {
    const spec = costReportSpecFor(
      { region: 'us-east-1', cur: { format: 'Parquet', versioning: 'CREATE_NEW_REPORT' } },
      names,
    );
    cur.on(PutReportDefinitionCommand).resolves({});
    await new MockActivityEnvironment().run(defineCostReport, { access: testAccess, spec });
    expect(cur.commandCalls(PutReportDefinitionCommand)[0]?.args[0].input.ReportDefinition).toMatchObject({
      Format: 'Parquet',
      Compression: 'Parquet',
      ReportVersioning: 'CREATE_NEW_REPORT',
    });
  });

  it('still takes the whole definition an activity scheduled by an older run carries', async () => {
    const definition: CostReportDefinition = renderCostReportDefinition({
      ...names,
      bucketRegion: 'us-east-1',
      format: 'Parquet',
    });
    cur.on(DescribeReportDefinitionsCommand).resolves({ ReportDefinitions: [{ ...definition, Format: 'textORcsv' }] });
    const found = await new MockActivityEnvironment().run(inspectCostReport, { access: testAccess, definition });
    expect(found).toEqual({ present: true, differences: expect.arrayContaining(['Format']) });
  });
});
