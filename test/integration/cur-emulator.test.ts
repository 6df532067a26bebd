import {
  CostAndUsageReportServiceClient,
  CostAndUsageReportServiceServiceException,
  DeleteReportDefinitionCommand,
  DescribeReportDefinitionsCommand,
  DuplicateReportNameException,
  ModifyReportDefinitionCommand,
  PutReportDefinitionCommand,
  ReportLimitReachedException,
  ValidationException,
  paginateDescribeReportDefinitions,
  type ReportDefinition,
} from '@aws-sdk/client-cost-and-usage-report-service';
import { startCurEmulator, type CurEmulator } from '../../devstack/cur-emulator/server';
import { emulatorClientConfig, rejectionOf } from '../support/aws-json-client';

/** AWS's limit of five definitions holds here. */
let emulator: CurEmulator;
let cur: CostAndUsageReportServiceClient;
/** Room for more than one page of definitions. */
let roomyEmulator: CurEmulator;
let roomyCur: CostAndUsageReportServiceClient;

function clientFor(endpoint: CurEmulator): CostAndUsageReportServiceClient {
  return new CostAndUsageReportServiceClient(emulatorClientConfig(endpoint.url));
}

beforeAll(async () => {
  [emulator, roomyEmulator] = await Promise.all([
    startCurEmulator({ port: 0 }),
    startCurEmulator({ port: 0, reportLimit: 20 }),
  ]);
  cur = clientFor(emulator);
  roomyCur = clientFor(roomyEmulator);
});

afterEach(async () => {
  await Promise.all([deleteEveryDefinition(cur), deleteEveryDefinition(roomyCur)]);
});

afterAll(async () => {
  cur.destroy();
  roomyCur.destroy();
  await Promise.all([emulator.close(), roomyEmulator.close()]);
});

async function deleteEveryDefinition(client: CostAndUsageReportServiceClient): Promise<void> {
  const names: string[] = [];
  for await (const page of paginateDescribeReportDefinitions({ client }, {})) {
    names.push(...(page.ReportDefinitions ?? []).map((definition) => definition.ReportName!));
  }
  for (const ReportName of names) await client.send(new DeleteReportDefinitionCommand({ ReportName }));
}

function dailyReport(overrides: Partial<ReportDefinition> = {}): ReportDefinition {
  return {
    ReportName: 'daily-report',
    TimeUnit: 'DAILY',
    Format: 'textORcsv',
    Compression: 'GZIP',
    AdditionalSchemaElements: ['RESOURCES'],
    S3Bucket: 'cur-bucket',
    S3Prefix: 'cur/daily',
    S3Region: 'us-east-1',
    RefreshClosedReports: true,
    ...overrides,
  };
}

const athenaReport = (overrides: Partial<ReportDefinition> = {}) =>
  dailyReport({
    Format: 'Parquet',
    Compression: 'Parquet',
    AdditionalArtifacts: ['ATHENA'],
    ReportVersioning: 'OVERWRITE_REPORT',
    ...overrides,
  });

function put(definition: ReportDefinition, client = cur) {
  return client.send(new PutReportDefinitionCommand({ ReportDefinition: definition }));
}

async function describeAll(client = cur): Promise<ReportDefinition[]> {
  const definitions: ReportDefinition[] = [];
  for await (const page of paginateDescribeReportDefinitions({ client }, {})) {
    definitions.push(...(page.ReportDefinitions ?? []));
  }
  return definitions;
}

describe('report definitions, through the real CUR SDK client', () => {
  it('stores a daily GZIP textORcsv report with resource IDs and refreshed closed reports, and describes back every field', async () => {
    const definition = dailyReport({
      AdditionalArtifacts: ['REDSHIFT', 'QUICKSIGHT'],
      ReportVersioning: 'CREATE_NEW_REPORT',
      BillingViewArn: 'arn:aws:billing::123456789012:billingview/primary-123456789012',
    });
    await put(definition);

    const described = await cur.send(new DescribeReportDefinitionsCommand({}));

    expect(described.ReportDefinitions).toEqual([definition]);
    expect(described.NextToken).toBeUndefined();
    expect(emulator.reportNames()).toEqual(['daily-report']);
  });

  it('gives back a ReportStatus the caller sent, which SDK 3.332.0 carries untyped', async () => {
    const withStatus = { ...dailyReport(), ReportStatus: { lastDelivery: '20250101T000000Z', lastStatus: 'SUCCESS' } };
    await put(withStatus);

    expect(await describeAll()).toEqual([withStatus]);
  });

  it('refuses a second definition of the same name with DuplicateReportNameException and keeps the first', async () => {
    await put(dailyReport());

    const error = await rejectionOf(put(dailyReport({ TimeUnit: 'HOURLY' })));

    expect(error).toBeInstanceOf(DuplicateReportNameException);
    expect(error.name).toBe('DuplicateReportNameException');
    expect(error.message).toContain('daily-report');
    expect((error as DuplicateReportNameException).$metadata.httpStatusCode).toBe(400);
    expect((await describeAll()).map((definition) => definition.TimeUnit)).toEqual(['DAILY']);
  });

  it.each([
    ['with a space', 'daily report'],
    ['with a slash', 'daily/report'],
    ['that is empty', ''],
    ['longer than 256 characters', 'r'.repeat(257)],
  ])('refuses a report name %s with ValidationException', async (_case, ReportName) => {
    const error = await rejectionOf(put(dailyReport({ ReportName })));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toMatch(/^1 validation error detected: Value '.*' at 'reportDefinition\.reportName'/);
    expect(emulator.reportNames()).toEqual([]);
  });

  it('accepts a 256-character name drawn from every character the pattern allows', async () => {
    const ReportName = "Az09!-_.*'()".padEnd(256, 'x');
    await put(dailyReport({ ReportName }));

    expect(emulator.reportNames()).toEqual([ReportName]);
  });

  it('names every missing required member in one ValidationException', async () => {
    const incomplete: Partial<ReportDefinition> = dailyReport();
    delete incomplete.TimeUnit;
    delete incomplete.S3Prefix;

    const error = await rejectionOf(put(incomplete as ReportDefinition));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain('2 validation errors detected');
    expect(error.message).toContain("Value null at 'reportDefinition.timeUnit' failed to satisfy constraint");
    expect(error.message).toContain("Value null at 'reportDefinition.s3Prefix' failed to satisfy constraint");
  });

  it('accepts an empty prefix and an empty list of schema elements, which the model allows', async () => {
    await put(dailyReport({ S3Prefix: '', AdditionalSchemaElements: [] }));

    expect(await describeAll()).toEqual([dailyReport({ S3Prefix: '', AdditionalSchemaElements: [] })]);
  });

  it.each<[string, Partial<ReportDefinition>, string]>([
    ['an unknown time unit', { TimeUnit: 'WEEKLY' }, 'timeUnit'],
    ['an unknown format', { Format: 'csv' }, 'format'],
    ['an unknown compression', { Compression: 'BZIP2' }, 'compression'],
    ['an unknown schema element', { AdditionalSchemaElements: ['COSTS'] }, 'additionalSchemaElements'],
    ['an unknown bucket region', { S3Region: 'moon-1' }, 's3Region'],
    ['an unknown artifact', { AdditionalArtifacts: ['EXCEL'] }, 'additionalArtifacts'],
    ['an unknown report versioning', { ReportVersioning: 'KEEP_ALL' }, 'reportVersioning'],
    ['a prefix with a space', { S3Prefix: 'cur reports' }, 's3Prefix'],
    ['a prefix longer than 256 characters', { S3Prefix: 'p'.repeat(257) }, 's3Prefix'],
    ['a bucket name with a slash', { S3Bucket: 'cur/bucket' }, 's3Bucket'],
    ['a malformed billing view ARN', { BillingViewArn: 'arn:aws:billing::12:billingview/x' }, 'billingViewArn'],
  ])('refuses %s with ValidationException', async (_case, overrides, member) => {
    const error = await rejectionOf(put(dailyReport(overrides)));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain(`at 'reportDefinition.${member}' failed to satisfy constraint`);
    expect(emulator.reportNames()).toEqual([]);
  });

  it.each<[string, Partial<ReportDefinition>]>([
    ['Parquet format with GZIP compression', { Format: 'Parquet', Compression: 'GZIP' }],
    ['Parquet format with ZIP compression', { Format: 'Parquet', Compression: 'ZIP' }],
    ['textORcsv format with Parquet compression', { Format: 'textORcsv', Compression: 'Parquet' }],
  ])('refuses %s with ValidationException', async (_case, overrides) => {
    const error = await rejectionOf(put(dailyReport(overrides)));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain(`Format ${overrides.Format} cannot be used with Compression`);
    expect(emulator.reportNames()).toEqual([]);
  });

  it('accepts Parquet format with Parquet compression and textORcsv with ZIP', async () => {
    await put(dailyReport({ ReportName: 'parquet', Format: 'Parquet', Compression: 'Parquet' }));
    await put(dailyReport({ ReportName: 'zipped', Compression: 'ZIP' }));

    expect(emulator.reportNames()).toEqual(['parquet', 'zipped']);
  });

  it('accepts ATHENA alone with Parquet, OVERWRITE_REPORT and a prefix', async () => {
    await put(athenaReport());

    expect(await describeAll()).toEqual([athenaReport()]);
  });

  it.each<[string, Partial<ReportDefinition>, string]>([
    ['without Parquet', { Format: 'textORcsv', Compression: 'GZIP' }, 'ATHENA requires Format and Compression Parquet'],
    ['with new report versions', { ReportVersioning: 'CREATE_NEW_REPORT' }, 'OVERWRITE_REPORT'],
    ['without a report versioning', { ReportVersioning: undefined }, 'OVERWRITE_REPORT'],
    ['with REDSHIFT', { AdditionalArtifacts: ['ATHENA', 'REDSHIFT'] }, 'cannot be combined'],
    ['with QUICKSIGHT', { AdditionalArtifacts: ['QUICKSIGHT', 'ATHENA'] }, 'cannot be combined'],
    ['with an empty prefix', { S3Prefix: '' }, 'non-empty S3Prefix'],
  ])('refuses ATHENA %s with ValidationException', async (_case, overrides, rule) => {
    const error = await rejectionOf(put(athenaReport(overrides)));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain(rule);
    expect(emulator.reportNames()).toEqual([]);
  });

  it('accepts REDSHIFT and QUICKSIGHT with textORcsv and ZIP, as the AWS CLI example does', async () => {
    await put(dailyReport({ Compression: 'ZIP', AdditionalArtifacts: ['REDSHIFT', 'QUICKSIGHT'] }));

    expect(emulator.reportNames()).toEqual(['daily-report']);
  });

  it.each<[string, Partial<ReportDefinition>]>([
    ['REDSHIFT', { AdditionalArtifacts: ['REDSHIFT'] }],
    ['QUICKSIGHT', { AdditionalArtifacts: ['QUICKSIGHT'] }],
  ])('refuses %s with Parquet with ValidationException', async (_case, overrides) => {
    const error = await rejectionOf(put(dailyReport({ Format: 'Parquet', Compression: 'Parquet', ...overrides })));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain('require Format textORcsv');
  });

  it('stops at five definitions with ReportLimitReachedException', async () => {
    for (const index of [1, 2, 3, 4, 5]) await put(dailyReport({ ReportName: `report-${index}` }));

    const error = await rejectionOf(put(dailyReport({ ReportName: 'report-6' })));

    expect(error).toBeInstanceOf(ReportLimitReachedException);
    expect(error.message).toContain('already has 5 reports defined');
    expect(emulator.reportNames()).toHaveLength(5);
  });

  it('modifies every field of an existing definition, dropping optional members left out', async () => {
    await put(dailyReport({ BillingViewArn: 'primary-view' }));
    const modified = athenaReport({
      TimeUnit: 'HOURLY',
      S3Bucket: 'other-bucket',
      S3Prefix: 'athena',
      S3Region: 'eu-west-1',
      RefreshClosedReports: false,
    });

    await cur.send(new ModifyReportDefinitionCommand({ ReportName: 'daily-report', ReportDefinition: modified }));

    expect(await describeAll()).toEqual([modified]);
  });

  it('holds a modification to the same rules as a new definition', async () => {
    await put(dailyReport());

    const error = await rejectionOf(
      cur.send(
        new ModifyReportDefinitionCommand({
          ReportName: 'daily-report',
          ReportDefinition: dailyReport({ Format: 'Parquet', Compression: 'GZIP' }),
        }),
      ),
    );

    expect(error).toBeInstanceOf(ValidationException);
    expect(await describeAll()).toEqual([dailyReport()]);
  });

  it('refuses to rename a definition through ModifyReportDefinition', async () => {
    await put(dailyReport());

    const error = await rejectionOf(
      cur.send(
        new ModifyReportDefinitionCommand({
          ReportName: 'daily-report',
          ReportDefinition: dailyReport({ ReportName: 'renamed' }),
        }),
      ),
    );

    expect(error).toBeInstanceOf(ValidationException);
    expect(emulator.reportNames()).toEqual(['daily-report']);
  });

  it('refuses to modify a definition that does not exist with ValidationException', async () => {
    const error = await rejectionOf(
      cur.send(
        new ModifyReportDefinitionCommand({
          ReportName: 'missing',
          ReportDefinition: dailyReport({ ReportName: 'missing' }),
        }),
      ),
    );

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('Report missing does not exist');
    expect(emulator.reportNames()).toEqual([]);
  });

  it('deletes a definition so that Describe no longer lists it', async () => {
    await put(dailyReport({ ReportName: 'kept' }));
    await put(dailyReport({ ReportName: 'deleted' }));

    const deleted = await cur.send(new DeleteReportDefinitionCommand({ ReportName: 'deleted' }));

    expect(deleted.ResponseMessage).toContain('deleted');
    expect((await describeAll()).map((definition) => definition.ReportName)).toEqual(['kept']);
  });

  it('refuses to delete a definition that does not exist with ValidationException', async () => {
    const error = await rejectionOf(cur.send(new DeleteReportDefinitionCommand({ ReportName: 'missing' })));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('Report missing does not exist');
  });

  it('answers a member of the wrong JSON type with SerializationException', async () => {
    const error = await rejectionOf(put(dailyReport({ RefreshClosedReports: 'yes' as unknown as boolean })));

    expect(error).toBeInstanceOf(CostAndUsageReportServiceServiceException);
    expect(error.name).toBe('SerializationException');
    expect(error.message).toContain("'reportDefinition.refreshClosedReports'");
  });
});

describe('paging through DescribeReportDefinitions', () => {
  const names = Array.from({ length: 12 }, (_, index) => `report-${String(index + 1).padStart(2, '0')}`);

  beforeEach(async () => {
    for (const ReportName of names) await put(dailyReport({ ReportName }), roomyCur);
  });

  it('pages more than five definitions five at a time, in creation order', async () => {
    const first = await roomyCur.send(new DescribeReportDefinitionsCommand({ MaxResults: 5 }));
    const second = await roomyCur.send(new DescribeReportDefinitionsCommand({ NextToken: first.NextToken }));
    const third = await roomyCur.send(new DescribeReportDefinitionsCommand({ NextToken: second.NextToken }));

    expect([first, second, third].map((page) => page.ReportDefinitions?.length)).toEqual([5, 5, 2]);
    expect(first.NextToken).toMatch(/^[A-Za-z0-9_.\-=]+$/);
    expect(third.NextToken).toBeUndefined();
    expect((await describeAll(roomyCur)).map((definition) => definition.ReportName)).toEqual(names);
  });

  it('skips nothing when a definition on an earlier page is deleted between pages', async () => {
    const first = await roomyCur.send(new DescribeReportDefinitionsCommand({}));
    await roomyCur.send(new DeleteReportDefinitionCommand({ ReportName: 'report-01' }));

    const second = await roomyCur.send(new DescribeReportDefinitionsCommand({ NextToken: first.NextToken }));

    expect(second.ReportDefinitions?.map((definition) => definition.ReportName)).toEqual(names.slice(5, 10));
  });

  it.each([1, 6])('refuses MaxResults %i, since AWS allows only 5', async (MaxResults) => {
    const error = await rejectionOf(roomyCur.send(new DescribeReportDefinitionsCommand({ MaxResults })));

    // SDK 3.332.0 models no ValidationException for Describe, so it arrives as the service's base exception.
    expect(error).toBeInstanceOf(CostAndUsageReportServiceServiceException);
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain("at 'maxResults' failed to satisfy constraint");
  });

  it('refuses a NextToken it did not issue', async () => {
    const error = await rejectionOf(
      roomyCur.send(new DescribeReportDefinitionsCommand({ NextToken: 'bm90LWEtdG9rZW4' })),
    );

    expect(error.name).toBe('ValidationException');
  });
});
