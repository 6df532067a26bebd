import {
  CostAndUsageReportServiceClient,
  DeleteReportDefinitionCommand,
  DescribeReportDefinitionsCommand,
  DuplicateReportNameException,
  ModifyReportDefinitionCommand,
  PutReportDefinitionCommand,
  ReportLimitReachedException,
  ValidationException,
  type ReportDefinition,
} from '@aws-sdk/client-cost-and-usage-report-service';
import { startCurEmulator, type CurEmulator } from '../../devstack/cur-emulator/server';

/** Each test gets its own endpoint: the five-report limit is per account, and the emulator is one account. */
let emulator: CurEmulator;
let cur: CostAndUsageReportServiceClient;
const clientConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  maxAttempts: 1,
};

beforeEach(async () => {
  emulator = await startCurEmulator();
  cur = new CostAndUsageReportServiceClient({ ...clientConfig, endpoint: emulator.url });
});
afterEach(async () => {
  cur.destroy();
  await emulator.close();
});

function definition(overrides: Partial<ReportDefinition> = {}): ReportDefinition {
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
    ReportVersioning: 'OVERWRITE_REPORT',
    ...overrides,
  };
}

async function put(overrides: Partial<ReportDefinition> = {}): Promise<unknown> {
  return cur
    .send(new PutReportDefinitionCommand({ ReportDefinition: definition(overrides) }))
    .catch((error: unknown) => error);
}

describe('the CUR endpoint, driven by the real CUR SDK client over HTTP', () => {
  it('stores a definition and describes it back field for field', async () => {
    await cur.send(new PutReportDefinitionCommand({ ReportDefinition: definition() }));
    const described = await cur.send(new DescribeReportDefinitionsCommand({}));
    expect(described.ReportDefinitions).toEqual([definition()]);
  });

  it('refuses a second definition of the same name with DuplicateReportNameException', async () => {
    await put();
    expect(await put({ TimeUnit: 'HOURLY' })).toBeInstanceOf(DuplicateReportNameException);
  });

  it.each<[string, Partial<ReportDefinition>]>([
    ['a name with spaces', { ReportName: 'daily report' }],
    ['a name longer than 256 characters', { ReportName: 'r'.repeat(257) }],
    ['an unknown time unit', { TimeUnit: 'WEEKLY' as ReportDefinition['TimeUnit'] }],
    ['Parquet format with GZIP', { Format: 'Parquet', Compression: 'GZIP' }],
    ['text format with Parquet compression', { Compression: 'Parquet' }],
    ['Athena without Parquet', { AdditionalArtifacts: ['ATHENA'] }],
    [
      'Athena with new report versions',
      {
        Format: 'Parquet',
        Compression: 'Parquet',
        AdditionalArtifacts: ['ATHENA'],
        ReportVersioning: 'CREATE_NEW_REPORT',
      },
    ],
    [
      'Athena with Redshift',
      { Format: 'Parquet', Compression: 'Parquet', AdditionalArtifacts: ['ATHENA', 'REDSHIFT'] },
    ],
    ['Redshift with ZIP', { Compression: 'ZIP', AdditionalArtifacts: ['REDSHIFT'] }],
    ['an unknown bucket region', { S3Region: 'moon-1' as ReportDefinition['S3Region'] }],
  ])('rejects %s with ValidationException', async (_case, overrides) => {
    const error = await put(overrides);
    expect(error).toBeInstanceOf(ValidationException);
    expect(emulator.reportNames()).toEqual([]);
  });

  it('accepts Athena with Parquet and overwritten reports', async () => {
    await put({ Format: 'Parquet', Compression: 'Parquet', AdditionalArtifacts: ['ATHENA'] });
    expect(emulator.reportNames()).toEqual(['daily-report']);
  });

  it('stops at five definitions with ReportLimitReachedException', async () => {
    for (let index = 0; index < 5; index++)
      await cur.send(new PutReportDefinitionCommand({ ReportDefinition: definition({ ReportName: `r${index}` }) }));
    expect(await put({ ReportName: 'one-too-many' })).toBeInstanceOf(ReportLimitReachedException);
  });

  it('pages definitions five at a time', async () => {
    const roomy = await startCurEmulator({ reportLimit: 20 });
    const client = new CostAndUsageReportServiceClient({ ...clientConfig, endpoint: roomy.url });
    try {
      const names = Array.from({ length: 7 }, (_, index) => `report-${index}`);
      for (const ReportName of names) {
        await client.send(new PutReportDefinitionCommand({ ReportDefinition: definition({ ReportName }) }));
      }
      const first = await client.send(new DescribeReportDefinitionsCommand({}));
      expect(first.ReportDefinitions).toHaveLength(5);
      const second = await client.send(new DescribeReportDefinitionsCommand({ NextToken: first.NextToken }));
      expect(second.NextToken).toBeUndefined();
      expect([...first.ReportDefinitions!, ...second.ReportDefinitions!].map((d) => d.ReportName)).toEqual(names);
    } finally {
      client.destroy();
      await roomy.close();
    }
  });

  it('modifies an existing definition and refuses to modify one that does not exist', async () => {
    await put();
    await cur.send(
      new ModifyReportDefinitionCommand({
        ReportName: 'daily-report',
        ReportDefinition: definition({ TimeUnit: 'HOURLY' }),
      }),
    );
    expect((await cur.send(new DescribeReportDefinitionsCommand({}))).ReportDefinitions?.[0]?.TimeUnit).toBe('HOURLY');
    const missing = await cur
      .send(
        new ModifyReportDefinitionCommand({ ReportName: 'nope', ReportDefinition: definition({ ReportName: 'nope' }) }),
      )
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ValidationException);
  });

  it('deletes a definition, and names a missing one in its error', async () => {
    await put();
    await cur.send(new DeleteReportDefinitionCommand({ ReportName: 'daily-report' }));
    expect(emulator.reportNames()).toEqual([]);
    const missing = await cur
      .send(new DeleteReportDefinitionCommand({ ReportName: 'daily-report' }))
      .catch((error: unknown) => error);
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('answers an unsigned request with 403 and an unknown operation with 400', async () => {
    const unsigned = await fetch(emulator.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AWSOrigamiServiceGatewayService.DescribeReportDefinitions',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });

    const unknown = await fetch(emulator.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AWSOrigamiServiceGatewayService.StealReports',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/cur/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});
