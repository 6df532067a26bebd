import {
  DescribeReportDefinitionsCommand,
  PutReportDefinitionCommand,
  type CostAndUsageReportServiceClient,
  type ReportDefinition,
} from '@aws-sdk/client-cost-and-usage-report-service';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCostReportActivities } from '../../activities/cost-report';
import type { ActivityDeps } from '../../activities/deps';
import { renderCostReportDefinition, type CostReportDefinition } from '../../domain/cost-report';
import { costReportSpecFor } from '../../domain/install-requests';
import { fakeSessions, testAccess } from './aws-fakes';

// The CUR client is an older SDK release than aws-sdk-client-mock's types accept: a client that records what it is sent.
const sent: Array<PutReportDefinitionCommand | DescribeReportDefinitionsCommand> = [];
let existing: ReportDefinition[] = [];
const cur = {
  send: async (command: PutReportDefinitionCommand | DescribeReportDefinitionsCommand) => {
    sent.push(command);
    return command instanceof DescribeReportDefinitionsCommand ? { ReportDefinitions: existing } : {};
  },
} as unknown as CostAndUsageReportServiceClient;
const deps = { sessions: fakeSessions({ cur }) } as ActivityDeps;
const putDefinition = () =>
  sent.find((command): command is PutReportDefinitionCommand => command instanceof PutReportDefinitionCommand)?.input
    .ReportDefinition;
const { defineCostReport, inspectCostReport } = createCostReportActivities(deps);
const names = { reportName: 'install-i-1', bucket: 'cur-111111111111-i-1', prefix: 'cur/i-1' };

describe('cost report activities sent a spec instead of the whole definition', () => {
  beforeEach(() => {
    sent.length = 0;
    existing = [];
  });

  it('sends only what differs from the defaults, and puts the same definition the defaults render', async () => {
    const spec = costReportSpecFor({ region: 'eu-west-1' }, names);
    expect(spec).toEqual({ ...names, bucketRegion: 'eu-west-1' });
    await new MockActivityEnvironment().run(defineCostReport, { access: testAccess, spec });
    expect(putDefinition()).toEqual({
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
    await new MockActivityEnvironment().run(defineCostReport, { access: testAccess, spec });
    expect(putDefinition()).toMatchObject({
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
    existing = [{ ...definition, Format: 'textORcsv' }];
    const found = await new MockActivityEnvironment().run(inspectCostReport, { access: testAccess, definition });
    expect(found).toEqual({ present: true, differences: expect.arrayContaining(['Format']) });
  });
});
