import {
  BCMDataExportsClient,
  BCMDataExportsServiceException,
  CreateExportCommand,
  DeleteExportCommand,
  GetExecutionCommand,
  GetExportCommand,
  GetTableCommand,
  ListExecutionsCommand,
  ListExportsCommand,
  ListTablesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateExportCommand,
  ValidationException,
  paginateListExports,
  type Export,
  type ResourceTag,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-bcm-data-exports';
import type { FinalizeRequestMiddleware } from '@aws-sdk/types';
import { startDataExportsEmulator, type DataExportsEmulator } from '../../devstack/data-exports-emulator/server';
import { emulatorClientConfig, rawCall, rejectionOf, sigV4Authorization } from '../support/aws-json-client';

const accountId = '123456789012';
const target = (operation: string) => `AWSBillingAndCostManagementDataExports.${operation}`;
const signed = sigV4Authorization('bcm-data-exports');
const exportArnShape = new RegExp(
  `^arn:aws:bcm-data-exports:us-east-1:${accountId}:export/([0-9A-Za-z_-]+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
);
const missingArn = `arn:aws:bcm-data-exports:us-east-1:${accountId}:export/missing-00000000-0000-0000-0000-000000000000`;

/** AWS's limit of five CUR 2.0 exports holds here. */
let emulator: DataExportsEmulator;
let dataExports: BCMDataExportsClient;
/** Room for more than one page of exports. */
let roomyEmulator: DataExportsEmulator;
let roomyDataExports: BCMDataExportsClient;

function clientFor(endpoint: DataExportsEmulator, accessKeyId = 'AKIDEXAMPLE'): BCMDataExportsClient {
  return new BCMDataExportsClient(emulatorClientConfig(endpoint.url, accessKeyId));
}

beforeAll(async () => {
  [emulator, roomyEmulator] = await Promise.all([
    startDataExportsEmulator({ port: 0, accountId }),
    startDataExportsEmulator({ port: 0, accountId, exportLimit: 20 }),
  ]);
  dataExports = clientFor(emulator);
  roomyDataExports = clientFor(roomyEmulator);
});

afterEach(async () => {
  await Promise.all([deleteEveryExport(dataExports), deleteEveryExport(roomyDataExports)]);
});

afterAll(async () => {
  dataExports.destroy();
  roomyDataExports.destroy();
  await Promise.all([emulator.close(), roomyEmulator.close()]);
});

async function listAll(client = dataExports) {
  const exports = [];
  for await (const page of paginateListExports({ client }, {})) exports.push(...(page.Exports ?? []));
  return exports;
}

async function deleteEveryExport(client: BCMDataExportsClient): Promise<void> {
  for (const { ExportArn } of await listAll(client)) await client.send(new DeleteExportCommand({ ExportArn }));
}

const cur2Columns = [
  'identity_line_item_id',
  'line_item_usage_start_date',
  'line_item_product_code',
  'line_item_unblended_cost',
  'resource_tags',
];

function dailyExport(overrides: Partial<Export> = {}): Export {
  return {
    Name: 'daily-cur2',
    Description: 'CUR 2.0, daily',
    DataQuery: {
      QueryStatement: `SELECT ${cur2Columns.join(', ')} FROM COST_AND_USAGE_REPORT`,
      TableConfigurations: {
        COST_AND_USAGE_REPORT: {
          TIME_GRANULARITY: 'DAILY',
          INCLUDE_RESOURCES: 'FALSE',
          INCLUDE_SPLIT_COST_ALLOCATION_DATA: 'FALSE',
          INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: 'FALSE',
        },
      },
    },
    DestinationConfigurations: {
      S3Destination: {
        S3Bucket: 'cur-bucket',
        S3Prefix: 'cur2',
        S3Region: 'eu-west-1',
        S3OutputConfigurations: {
          OutputType: 'CUSTOM',
          Format: 'PARQUET',
          Compression: 'PARQUET',
          Overwrite: 'OVERWRITE_REPORT',
        },
      },
    },
    RefreshCadence: { Frequency: 'SYNCHRONOUS' },
    ...overrides,
  };
}

/** The export with one S3OutputConfigurations member changed. */
function withOutput(output: Record<string, string>): Export {
  const base = dailyExport();
  const destination = base.DestinationConfigurations!.S3Destination!;
  return dailyExport({
    DestinationConfigurations: {
      S3Destination: {
        ...destination,
        S3OutputConfigurations: { ...destination.S3OutputConfigurations!, ...output } as never,
      },
    },
  });
}

/** The export with this query and CUR 2.0 table configurations. */
function withQuery(QueryStatement: string, configurations: Record<string, string> = {}): Export {
  return dailyExport({
    DataQuery: { QueryStatement, TableConfigurations: { COST_AND_USAGE_REPORT: configurations } },
  });
}

function create(definition: Export, client = dataExports, ResourceTags?: ResourceTag[]) {
  return client.send(new CreateExportCommand({ Export: definition, ResourceTags }));
}

describe('exports, through the real Data Exports SDK client', () => {
  it('creates an export under an ARN of its account and name, and GetExport gives back every field with a HEALTHY status', async () => {
    const before = Date.now();
    const { ExportArn } = await create(dailyExport());

    const described = await dataExports.send(new GetExportCommand({ ExportArn }));

    expect(ExportArn).toMatch(exportArnShape);
    expect(exportArnShape.exec(ExportArn!)?.[1]).toBe('daily-cur2');
    expect(described.Export).toEqual({ ...dailyExport(), ExportArn });
    expect(described.ExportStatus?.StatusCode).toBe('HEALTHY');
    expect(described.ExportStatus?.CreatedAt).toBeInstanceOf(Date);
    expect(described.ExportStatus!.CreatedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(described.ExportStatus?.LastUpdatedAt).toEqual(described.ExportStatus?.CreatedAt);
    expect(described.ExportStatus?.LastRefreshedAt).toBeInstanceOf(Date);
    expect(emulator.exportNames()).toEqual(['daily-cur2']);
  });

  it('lists each export by ARN, name and status', async () => {
    const { ExportArn } = await create(dailyExport());

    const listed = await dataExports.send(new ListExportsCommand({}));

    expect(listed.Exports).toEqual([
      { ExportArn, ExportName: 'daily-cur2', ExportStatus: expect.objectContaining({ StatusCode: 'HEALTHY' }) },
    ]);
    expect(listed.NextToken).toBeUndefined();
  });

  it('serves every caller from one account: an export created with one access key is seen with another', async () => {
    const { ExportArn } = await create(dailyExport());
    const otherCaller = clientFor(emulator, 'AKIDOTHERCALLER');

    const listed = await otherCaller.send(new ListExportsCommand({}));
    otherCaller.destroy();

    expect(listed.Exports?.map((reference) => reference.ExportArn)).toEqual([ExportArn]);
  });

  it('updates every field but the name, keeping the ARN and creation time', async () => {
    const { ExportArn } = await create(dailyExport());
    const created = await dataExports.send(new GetExportCommand({ ExportArn }));
    const updated: Export = {
      Name: 'daily-cur2',
      DataQuery: {
        QueryStatement: 'SELECT line_item_resource_id, line_item_unblended_cost FROM COST_AND_USAGE_REPORT',
        TableConfigurations: { COST_AND_USAGE_REPORT: { TIME_GRANULARITY: 'HOURLY', INCLUDE_RESOURCES: 'TRUE' } },
      },
      DestinationConfigurations: {
        S3Destination: {
          S3Bucket: 'other-bucket',
          S3Prefix: 'elsewhere',
          S3Region: 'us-east-1',
          S3OutputConfigurations: {
            OutputType: 'CUSTOM',
            Format: 'TEXT_OR_CSV',
            Compression: 'GZIP',
            Overwrite: 'CREATE_NEW_REPORT',
          },
        },
      },
      RefreshCadence: { Frequency: 'SYNCHRONOUS' },
    };

    const answer = await dataExports.send(new UpdateExportCommand({ ExportArn, Export: updated }));
    const described = await dataExports.send(new GetExportCommand({ ExportArn }));

    expect(answer.ExportArn).toBe(ExportArn);
    expect(described.Export).toEqual({ ...updated, ExportArn });
    expect(described.ExportStatus?.CreatedAt).toEqual(created.ExportStatus?.CreatedAt);
    expect(described.ExportStatus!.LastUpdatedAt!.getTime()).toBeGreaterThanOrEqual(
      created.ExportStatus!.LastUpdatedAt!.getTime(),
    );
  });

  it('accepts an Export.ExportArn in an update when it names the same export', async () => {
    const { ExportArn } = await create(dailyExport());

    await dataExports.send(
      new UpdateExportCommand({ ExportArn, Export: dailyExport({ ExportArn, Description: 'renewed' }) }),
    );

    expect((await dataExports.send(new GetExportCommand({ ExportArn }))).Export?.Description).toBe('renewed');
  });

  it('holds an update to the same rules as a new export and leaves the export as it was', async () => {
    const { ExportArn } = await create(dailyExport());

    const error = await rejectionOf(
      dataExports.send(new UpdateExportCommand({ ExportArn, Export: withOutput({ Compression: 'GZIP' }) })),
    );

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain('Format PARQUET cannot be used with Compression GZIP');
    expect((await dataExports.send(new GetExportCommand({ ExportArn }))).Export).toEqual({
      ...dailyExport(),
      ExportArn,
    });
  });

  it('refuses to rename an export through UpdateExport', async () => {
    const { ExportArn } = await create(dailyExport());

    const error = await rejectionOf(
      dataExports.send(new UpdateExportCommand({ ExportArn, Export: dailyExport({ Name: 'renamed' }) })),
    );

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe("Export.Name renamed must equal the export's name daily-cur2");
    expect(emulator.exportNames()).toEqual(['daily-cur2']);
  });

  it('refuses an update whose Export.ExportArn names another export', async () => {
    const { ExportArn } = await create(dailyExport());

    const error = await rejectionOf(
      dataExports.send(new UpdateExportCommand({ ExportArn, Export: dailyExport({ ExportArn: missingArn }) })),
    );

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe(`Export.ExportArn ${missingArn} must equal ExportArn ${ExportArn}`);
  });

  it('deletes an export so that it is neither listed nor found', async () => {
    const { ExportArn: kept } = await create(dailyExport({ Name: 'kept' }));
    const { ExportArn: deleted } = await create(dailyExport({ Name: 'deleted' }));

    const answer = await dataExports.send(new DeleteExportCommand({ ExportArn: deleted }));

    expect(answer.ExportArn).toBe(deleted);
    expect((await listAll()).map((reference) => reference.ExportArn)).toEqual([kept]);
    expect(await rejectionOf(dataExports.send(new GetExportCommand({ ExportArn: deleted })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('refuses a second export of the same name with ValidationException "Cannot create duplicate export name." and keeps the first', async () => {
    const { ExportArn } = await create(dailyExport());

    const error = await rejectionOf(create(dailyExport({ Description: 'the second' })));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('Cannot create duplicate export name.');
    expect((error as ValidationException).$metadata.httpStatusCode).toBe(400);
    expect((await dataExports.send(new GetExportCommand({ ExportArn }))).Export?.Description).toBe('CUR 2.0, daily');
    expect(emulator.exportNames()).toEqual(['daily-cur2']);
  });

  it('stops at five CUR 2.0 exports with ServiceQuotaExceededException, HTTP 402', async () => {
    for (const index of [1, 2, 3, 4, 5]) await create(dailyExport({ Name: `export-${index}` }));

    const error = await rejectionOf(create(dailyExport({ Name: 'export-6' })));

    expect(error).toBeInstanceOf(ServiceQuotaExceededException);
    const quota = error as ServiceQuotaExceededException;
    expect(quota.$metadata.httpStatusCode).toBe(402);
    expect(quota.message).toContain('limit of 5 exports of the table COST_AND_USAGE_REPORT');
    expect(quota.ServiceCode).toBe('AWSBillingAndCostManagementDataExports');
    expect(quota.QuotaCode).toBeTruthy();
    expect(emulator.exportNames()).toHaveLength(5);
  });

  it.each<[string, (ExportArn: string) => Promise<unknown>]>([
    ['GetExport', (ExportArn) => dataExports.send(new GetExportCommand({ ExportArn }))],
    ['UpdateExport', (ExportArn) => dataExports.send(new UpdateExportCommand({ ExportArn, Export: dailyExport() }))],
    ['DeleteExport', (ExportArn) => dataExports.send(new DeleteExportCommand({ ExportArn }))],
    ['ListExecutions', (ExportArn) => dataExports.send(new ListExecutionsCommand({ ExportArn }))],
    [
      'GetExecution',
      (ExportArn) => dataExports.send(new GetExecutionCommand({ ExportArn, ExecutionId: 'execution-1' })),
    ],
    [
      'TagResource',
      (ResourceArn) =>
        dataExports.send(new TagResourceCommand({ ResourceArn, ResourceTags: [{ Key: 'k', Value: 'v' }] })),
    ],
    [
      'UntagResource',
      (ResourceArn) => dataExports.send(new UntagResourceCommand({ ResourceArn, ResourceTagKeys: ['k'] })),
    ],
    ['ListTagsForResource', (ResourceArn) => dataExports.send(new ListTagsForResourceCommand({ ResourceArn }))],
  ])('answers %s on an unknown ExportArn with ResourceNotFoundException, HTTP 404', async (_operation, call) => {
    const error = await rejectionOf(call(missingArn));

    expect(error).toBeInstanceOf(ResourceNotFoundException);
    const notFound = error as ResourceNotFoundException;
    expect(notFound.$metadata.httpStatusCode).toBe(404);
    expect(notFound.ResourceId).toBe(missingArn);
    expect(notFound.ResourceType).toBe('Export');
    expect(notFound.message).toBe(`Export ${missingArn} does not exist`);
  });
});

describe('request validation against the model', () => {
  it.each([
    ['with a space', 'daily cur2'],
    ['with a dot, which the service no longer allows', 'daily.cur2'],
    ['that is empty', ''],
    ['longer than 128 characters', 'e'.repeat(129)],
  ])('refuses an export name %s with ValidationException', async (_case, Name) => {
    const error = await rejectionOf(create(dailyExport({ Name })));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toMatch(
      /^\d validation errors? detected: Value '.*' at 'export\.name' failed to satisfy constraint: /,
    );
    expect(emulator.exportNames()).toEqual([]);
  });

  it('accepts a 128-character name drawn from every character the pattern allows', async () => {
    const Name = 'Az09-_'.padEnd(128, 'x');
    const { ExportArn } = await create(dailyExport({ Name }));

    expect(ExportArn).toMatch(exportArnShape);
    expect(emulator.exportNames()).toEqual([Name]);
  });

  it('names every missing required member in one ValidationException', async () => {
    const incomplete = dailyExport({ DataQuery: undefined, RefreshCadence: {} as never });
    const destination = incomplete.DestinationConfigurations!.S3Destination!;
    delete destination.S3OutputConfigurations!.Overwrite;

    const error = await rejectionOf(create(incomplete));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toMatch(/^3 validation errors detected: /);
    expect(error.message).toContain(
      "Value null at 'export.dataQuery' failed to satisfy constraint: Member must not be null",
    );
    expect(error.message).toContain("Value null at 'export.refreshCadence.frequency'");
    expect(error.message).toContain(
      "Value null at 'export.destinationConfigurations.s3Destination.s3OutputConfigurations.overwrite'",
    );
  });

  it.each<[string, Export, string, string]>([
    ['an unknown output type', withOutput({ OutputType: 'QUICKSIGHT' }), 'QUICKSIGHT', 'outputType'],
    ['an unknown format', withOutput({ Format: 'CSV' }), 'CSV', 'format'],
    ['an unknown compression', withOutput({ Compression: 'ZIP' }), 'ZIP', 'compression'],
    ['an unknown overwrite option', withOutput({ Overwrite: 'KEEP_ALL' }), 'KEEP_ALL', 'overwrite'],
  ])('refuses %s with ValidationException', async (_case, definition, value, member) => {
    const error = await rejectionOf(create(definition));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain(
      `Value '${value}' at 'export.destinationConfigurations.s3Destination.s3OutputConfigurations.${member}' ` +
        'failed to satisfy constraint: Member must satisfy enum value set: [',
    );
    expect(emulator.exportNames()).toEqual([]);
  });

  it('refuses a refresh cadence other than SYNCHRONOUS with ValidationException', async () => {
    const error = await rejectionOf(create(dailyExport({ RefreshCadence: { Frequency: 'DAILY' as never } })));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain(
      "Value 'DAILY' at 'export.refreshCadence.frequency' failed to satisfy constraint: Member must satisfy enum value set: [SYNCHRONOUS]",
    );
  });

  it('refuses a description longer than 1024 characters with ValidationException', async () => {
    const error = await rejectionOf(create(dailyExport({ Description: 'd'.repeat(1025) })));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain(
      "at 'export.description' failed to satisfy constraint: Member must have length less than or equal to 1024",
    );
  });

  it('refuses an ExportArn of another service with ValidationException', async () => {
    const ExportArn = `arn:aws:cur:us-east-1:${accountId}:definition/daily-cur2`;

    const error = await rejectionOf(dataExports.send(new GetExportCommand({ ExportArn })));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toMatch(
      /^1 validation error detected: Value 'arn:aws:cur:.*' at 'exportArn' failed to satisfy constraint: Member must satisfy regular expression pattern: /,
    );
  });

  it.each([0, 301])('refuses MaxResults %i, outside 1 to 300', async (MaxResults) => {
    const error = await rejectionOf(dataExports.send(new ListExportsCommand({ MaxResults })));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain(`Value '${MaxResults}' at 'maxResults' failed to satisfy constraint`);
  });

  it('refuses a NextToken it did not issue', async () => {
    const error = await rejectionOf(dataExports.send(new ListExportsCommand({ NextToken: 'bm90LWEtdG9rZW4' })));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('Invalid NextToken: bm90LWEtdG9rZW4');
  });
});

describe('what AWS checks of an export beyond its shapes', () => {
  it.each<[string, string, string]>([
    ['PARQUET format with GZIP compression', 'PARQUET', 'GZIP'],
    ['TEXT_OR_CSV format with PARQUET compression', 'TEXT_OR_CSV', 'PARQUET'],
  ])('refuses %s with ValidationException', async (_case, Format, Compression) => {
    const error = await rejectionOf(create(withOutput({ Format, Compression })));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain(`Format ${Format} cannot be used with Compression ${Compression}`);
    expect(emulator.exportNames()).toEqual([]);
  });

  it('accepts TEXT_OR_CSV with GZIP and new report versions', async () => {
    await create(withOutput({ Format: 'TEXT_OR_CSV', Compression: 'GZIP', Overwrite: 'CREATE_NEW_REPORT' }));

    expect(emulator.exportNames()).toEqual(['daily-cur2']);
  });

  it.each<[string, string, string]>([
    [
      'a statement that is not a SELECT',
      'DELETE FROM COST_AND_USAGE_REPORT',
      'The query statement is not valid: expected SELECT <columns> FROM <table>',
    ],
    ['a SELECT without FROM', 'SELECT line_item_unblended_cost', 'The query statement is not valid'],
    [
      'SELECT *',
      'SELECT * FROM COST_AND_USAGE_REPORT',
      'The query statement is not valid: SELECT * is not supported, name the columns',
    ],
    [
      'an unreadable column',
      'SELECT SUM(line_item_unblended_cost) FROM COST_AND_USAGE_REPORT',
      "cannot read the selected column 'SUM(line_item_unblended_cost)'",
    ],
    [
      'a table Data Exports does not have',
      'SELECT line_item_unblended_cost FROM NOT_A_TABLE',
      'The table NOT_A_TABLE in the query statement does not exist',
    ],
    [
      'a table name in the wrong case, since table names are case sensitive',
      'SELECT line_item_unblended_cost FROM cost_and_usage_report',
      'The table cost_and_usage_report in the query statement does not exist',
    ],
    [
      'a column the table does not have',
      'SELECT line_item_unblended_cost, line_item_favourite_colour FROM COST_AND_USAGE_REPORT',
      'The columns in the query provided are not a subset of the table COST_AND_USAGE_REPORT',
    ],
    [
      'a column name in the wrong case, since column names are case sensitive',
      'SELECT LINE_ITEM_UNBLENDED_COST FROM COST_AND_USAGE_REPORT',
      'The columns in the query provided are not a subset of the table COST_AND_USAGE_REPORT',
    ],
    [
      'an attribute of a column that is neither MAP nor STRUCT',
      'SELECT line_item_unblended_cost.amount FROM COST_AND_USAGE_REPORT',
      'The columns in the query provided are not a subset of the table COST_AND_USAGE_REPORT',
    ],
  ])('refuses a query with %s with ValidationException', async (_case, QueryStatement, message) => {
    const error = await rejectionOf(create(withQuery(QueryStatement)));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain(message);
    expect(emulator.exportNames()).toEqual([]);
  });

  it('accepts map attributes, aliases, lower-case keywords, a WHERE clause and a LIMIT', async () => {
    const QueryStatement =
      'select product.from_location AS origin, resource_tags.user_team, line_item_unblended_cost as cost ' +
      "from COST_AND_USAGE_REPORT where line_item_line_item_type = 'Usage' AND line_item_unblended_cost > 0 limit 100";

    const { ExportArn } = await create(withQuery(QueryStatement));

    expect((await dataExports.send(new GetExportCommand({ ExportArn }))).Export?.DataQuery?.QueryStatement).toBe(
      QueryStatement,
    );
  });

  it.each<[string, string, Record<string, string>]>([
    ['line_item_resource_id needs INCLUDE_RESOURCES', 'line_item_resource_id', { INCLUDE_RESOURCES: 'TRUE' }],
    [
      'split_line_item columns need INCLUDE_SPLIT_COST_ALLOCATION_DATA',
      'split_line_item_split_cost',
      { INCLUDE_SPLIT_COST_ALLOCATION_DATA: 'TRUE' },
    ],
  ])('%s: refused without it, accepted with it', async (_case, column, configuration) => {
    const QueryStatement = `SELECT line_item_unblended_cost, ${column} FROM COST_AND_USAGE_REPORT`;

    const error = await rejectionOf(create(withQuery(QueryStatement)));
    await create(withQuery(QueryStatement, configuration));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('The columns in the query provided are not a subset of the table COST_AND_USAGE_REPORT');
    expect(emulator.exportNames()).toEqual(['daily-cur2']);
  });

  it.each(['discount', 'discount_total_discount', 'discount.edp_discount'])(
    'refuses %s when INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY is TRUE, which removes it',
    async (column) => {
      const QueryStatement = `SELECT line_item_unblended_cost, ${column} FROM COST_AND_USAGE_REPORT`;

      const error = await rejectionOf(
        create(withQuery(QueryStatement, { INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: 'TRUE' })),
      );
      await create(withQuery(QueryStatement));

      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe(
        'The columns in the query provided are not a subset of the table COST_AND_USAGE_REPORT',
      );
    },
  );

  it.each<[string, Record<string, Record<string, string>>, string]>([
    [
      'a table the query does not read',
      { FOCUS_1_0_AWS: { TIME_GRANULARITY: 'DAILY' } },
      'TableConfigurations names the table FOCUS_1_0_AWS, but the query statement reads COST_AND_USAGE_REPORT',
    ],
    [
      'a property the table does not have',
      { COST_AND_USAGE_REPORT: { INCLUDE_EVERYTHING: 'TRUE' } },
      'INCLUDE_EVERYTHING is not a table property of COST_AND_USAGE_REPORT',
    ],
    [
      'a time granularity the table does not offer',
      { COST_AND_USAGE_REPORT: { TIME_GRANULARITY: 'WEEKLY' } },
      'WEEKLY is not a valid value of TIME_GRANULARITY for COST_AND_USAGE_REPORT; valid values are HOURLY, DAILY, MONTHLY',
    ],
    [
      'a lower-case boolean',
      { COST_AND_USAGE_REPORT: { INCLUDE_RESOURCES: 'true' } },
      'true is not a valid value of INCLUDE_RESOURCES for COST_AND_USAGE_REPORT; valid values are TRUE, FALSE',
    ],
  ])('refuses TableConfigurations with %s with ValidationException', async (_case, TableConfigurations, message) => {
    const definition = dailyExport();
    definition.DataQuery!.TableConfigurations = TableConfigurations;

    const error = await rejectionOf(create(definition));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain(message);
    expect(emulator.exportNames()).toEqual([]);
  });

  it('accepts an export without TableConfigurations, the table taking its defaults', async () => {
    const definition = dailyExport();
    delete definition.DataQuery!.TableConfigurations;

    const { ExportArn } = await create(definition);

    expect((await dataExports.send(new GetExportCommand({ ExportArn }))).Export?.DataQuery).toEqual({
      QueryStatement: definition.DataQuery!.QueryStatement,
    });
  });
});

describe('paging through ListExports', () => {
  const names = Array.from({ length: 12 }, (_, index) => `export-${String(index + 1).padStart(2, '0')}`);

  beforeEach(async () => {
    for (const Name of names) await create(dailyExport({ Name }), roomyDataExports);
  });

  it('pages more than a page of exports MaxResults at a time, in creation order', async () => {
    const first = await roomyDataExports.send(new ListExportsCommand({ MaxResults: 5 }));
    const second = await roomyDataExports.send(new ListExportsCommand({ MaxResults: 5, NextToken: first.NextToken }));
    const third = await roomyDataExports.send(new ListExportsCommand({ MaxResults: 5, NextToken: second.NextToken }));

    expect([first, second, third].map((page) => page.Exports?.length)).toEqual([5, 5, 2]);
    expect(first.NextToken).toBeTruthy();
    expect(third.NextToken).toBeUndefined();
    expect([first, second, third].flatMap((page) => page.Exports!.map((reference) => reference.ExportName))).toEqual(
      names,
    );
  });

  it('gives every export through the SDK paginator', async () => {
    const pages = [];
    for await (const page of paginateListExports({ client: roomyDataExports, pageSize: 4 }, {})) pages.push(page);

    expect(pages.map((page) => page.Exports?.length)).toEqual([4, 4, 4]);
    expect(pages.flatMap((page) => page.Exports!.map((reference) => reference.ExportName))).toEqual(names);
  });

  it('skips nothing when an export on an earlier page is deleted between pages', async () => {
    const first = await roomyDataExports.send(new ListExportsCommand({ MaxResults: 5 }));
    await roomyDataExports.send(new DeleteExportCommand({ ExportArn: first.Exports![0]!.ExportArn }));

    const second = await roomyDataExports.send(new ListExportsCommand({ MaxResults: 5, NextToken: first.NextToken }));

    expect(second.Exports?.map((reference) => reference.ExportName)).toEqual(names.slice(5, 10));
  });
});

describe('tags', () => {
  it('keeps the tags given at creation and lists them', async () => {
    const ResourceTags = [
      { Key: 'team', Value: 'finops' },
      { Key: 'cost-centre', Value: '' },
    ];
    const { ExportArn } = await create(dailyExport(), dataExports, ResourceTags);

    const listed = await dataExports.send(new ListTagsForResourceCommand({ ResourceArn: ExportArn }));

    expect(listed.ResourceTags).toEqual(ResourceTags);
  });

  it('adds tags, replaces the value of a key it has, and removes keys, ignoring a key it does not have', async () => {
    const { ExportArn: ResourceArn } = await create(dailyExport(), dataExports, [{ Key: 'team', Value: 'finops' }]);

    await dataExports.send(
      new TagResourceCommand({
        ResourceArn,
        ResourceTags: [
          { Key: 'team', Value: 'platform' },
          { Key: 'stage', Value: 'prod' },
          { Key: 'owner', Value: 'ana' },
        ],
      }),
    );
    await dataExports.send(new UntagResourceCommand({ ResourceArn, ResourceTagKeys: ['owner', 'never-set'] }));

    const listed = await dataExports.send(new ListTagsForResourceCommand({ ResourceArn }));
    expect(listed.ResourceTags).toEqual([
      { Key: 'team', Value: 'platform' },
      { Key: 'stage', Value: 'prod' },
    ]);
  });

  it('pages the tags of an export', async () => {
    const tags = ['a', 'b', 'c'].map((Key) => ({ Key, Value: Key }));
    const { ExportArn: ResourceArn } = await create(dailyExport(), dataExports, tags);

    const first = await dataExports.send(new ListTagsForResourceCommand({ ResourceArn, MaxResults: 2 }));
    const second = await dataExports.send(
      new ListTagsForResourceCommand({ ResourceArn, MaxResults: 2, NextToken: first.NextToken }),
    );

    expect(first.ResourceTags).toEqual(tags.slice(0, 2));
    expect(second.ResourceTags).toEqual(tags.slice(2));
    expect(second.NextToken).toBeUndefined();
  });

  it('refuses a request that gives one tag key twice', async () => {
    const error = await rejectionOf(
      create(dailyExport(), dataExports, [
        { Key: 'team', Value: 'a' },
        { Key: 'team', Value: 'b' },
      ]),
    );

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('Tag keys must be unique: team');
    expect(emulator.exportNames()).toEqual([]);
  });

  it('refuses an empty tag key and a value over 256 characters, naming the list member', async () => {
    const error = await rejectionOf(
      create(dailyExport(), dataExports, [
        { Key: 'team', Value: 'finops' },
        { Key: '', Value: 'v'.repeat(257) },
      ]),
    );

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toMatch(/^2 validation errors detected: /);
    expect(error.message).toContain(
      "Value '' at 'resourceTags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    expect(error.message).toContain(
      "at 'resourceTags.2.member.value' failed to satisfy constraint: Member must have length less than or equal to 256",
    );
  });

  it('refuses more than 200 tags in one request', async () => {
    const { ExportArn: ResourceArn } = await create(dailyExport());
    const ResourceTags = Array.from({ length: 201 }, (_, index) => ({ Key: `key-${index}`, Value: 'v' }));

    const error = await rejectionOf(dataExports.send(new TagResourceCommand({ ResourceArn, ResourceTags })));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain(
      "at 'resourceTags' failed to satisfy constraint: Member must have length less than or equal to 200",
    );
  });
});

describe('tables', () => {
  it('lists CUR 2.0 with its four table configurations, their valid values and defaults', async () => {
    const listed = await dataExports.send(new ListTablesCommand({}));

    expect(listed.Tables?.map((table) => table.TableName)).toEqual(['COST_AND_USAGE_REPORT']);
    const properties = listed.Tables![0]!.TableProperties!;
    expect(properties.map(({ Name, ValidValues, DefaultValue }) => ({ Name, ValidValues, DefaultValue }))).toEqual([
      { Name: 'TIME_GRANULARITY', ValidValues: ['HOURLY', 'DAILY', 'MONTHLY'], DefaultValue: 'HOURLY' },
      { Name: 'INCLUDE_RESOURCES', ValidValues: ['TRUE', 'FALSE'], DefaultValue: 'FALSE' },
      { Name: 'INCLUDE_SPLIT_COST_ALLOCATION_DATA', ValidValues: ['TRUE', 'FALSE'], DefaultValue: 'FALSE' },
      { Name: 'INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY', ValidValues: ['TRUE', 'FALSE'], DefaultValue: 'FALSE' },
    ]);
    expect(properties.every((property) => property.Description)).toBe(true);
  });

  it('describes CUR 2.0 under its defaults as the API reference example does, without resource ids or split data', async () => {
    const table = await dataExports.send(
      new GetTableCommand({ TableName: 'COST_AND_USAGE_REPORT', TableProperties: {} }),
    );

    expect(table.TableProperties).toEqual({
      TIME_GRANULARITY: 'HOURLY',
      INCLUDE_RESOURCES: 'FALSE',
      INCLUDE_SPLIT_COST_ALLOCATION_DATA: 'FALSE',
      INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: 'FALSE',
    });
    const columns = table.Schema!.map((column) => column.Name);
    expect(columns).toEqual(expect.arrayContaining(['identity_line_item_id', 'bill_invoice_id', 'discount']));
    expect(columns).not.toContain('line_item_resource_id');
    expect(columns.filter((name) => name!.startsWith('split_line_item_'))).toEqual([]);
    expect(table.Schema!.find((column) => column.Name === 'identity_line_item_id')?.Type).toBe('String');
  });

  it('describes the columns the configurations add and remove', async () => {
    const table = await dataExports.send(
      new GetTableCommand({
        TableName: 'COST_AND_USAGE_REPORT',
        TableProperties: {
          INCLUDE_RESOURCES: 'TRUE',
          INCLUDE_SPLIT_COST_ALLOCATION_DATA: 'TRUE',
          INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: 'TRUE',
        },
      }),
    );

    const columns = table.Schema!.map((column) => column.Name);
    expect(columns).toEqual(expect.arrayContaining(['line_item_resource_id', 'split_line_item_split_cost']));
    expect(columns).not.toContain('discount');
    expect(columns).not.toContain('discount_total_discount');
    expect(table.TableProperties?.TIME_GRANULARITY).toBe('HOURLY');
  });

  it.each<[string, string, Record<string, string>, string]>([
    ['a table it does not have', 'NOT_A_TABLE', {}, 'The table NOT_A_TABLE does not exist'],
    [
      'a property value the table does not allow',
      'COST_AND_USAGE_REPORT',
      { TIME_GRANULARITY: 'YEARLY' },
      'YEARLY is not a valid value of TIME_GRANULARITY',
    ],
  ])('answers GetTable for %s with ValidationException', async (_case, TableName, TableProperties, message) => {
    const error = await rejectionOf(dataExports.send(new GetTableCommand({ TableName, TableProperties })));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain(message);
  });
});

describe('executions', () => {
  it('lists no executions for an export, since the emulator delivers nothing', async () => {
    const { ExportArn } = await create(dailyExport());

    const listed = await dataExports.send(new ListExecutionsCommand({ ExportArn }));

    expect(listed.Executions).toEqual([]);
    expect(listed.NextToken).toBeUndefined();
  });

  it('answers GetExecution on an existing export with ResourceNotFoundException for the execution', async () => {
    const { ExportArn } = await create(dailyExport());

    const error = await rejectionOf(dataExports.send(new GetExecutionCommand({ ExportArn, ExecutionId: 'run-1' })));

    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as ResourceNotFoundException).ResourceType).toBe('Execution');
    expect((error as ResourceNotFoundException).ResourceId).toBe('run-1');
  });
});

describe('requests beyond what the SDK sends', () => {
  it('stores and gives back S3BucketOwner, which the service knows though SDK 3.965.0 does not send it', async () => {
    const definition = dailyExport();
    const withOwner = {
      ...definition,
      DestinationConfigurations: {
        S3Destination: { ...definition.DestinationConfigurations!.S3Destination, S3BucketOwner: '444455556666' },
      },
    };
    const created = await rawCall(emulator.url, target('CreateExport'), JSON.stringify({ Export: withOwner }), signed);
    const { ExportArn } = (await created.json()) as { ExportArn: string };

    const described = await rawCall(emulator.url, target('GetExport'), JSON.stringify({ ExportArn }), signed);

    expect(created.status).toBe(200);
    expect(await described.json()).toMatchObject({
      Export: { DestinationConfigurations: { S3Destination: { S3BucketOwner: '444455556666' } } },
    });
  });

  it.each([
    ['a member of the wrong JSON type', JSON.stringify({ Export: { ...dailyExport(), Name: 7 } })],
    [
      'a table configuration that is not a map of strings',
      JSON.stringify({
        Export: { ...dailyExport(), DataQuery: { QueryStatement: 'SELECT x FROM T', TableConfigurations: { T: 'x' } } },
      }),
    ],
  ])('answers %s with 400 SerializationException', async (_case, body) => {
    const response = await rawCall(emulator.url, target('CreateExport'), body, signed);

    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('SerializationException');
    expect(await response.json()).toMatchObject({ __type: 'SerializationException' });
    expect(emulator.exportNames()).toEqual([]);
  });

  it('carries an error the model does not know to the SDK as the service exception, named by its type', async () => {
    const unsigned = clientFor(emulator);
    const dropSignature: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => (args) => {
      delete (args.request as { headers: Record<string, string> }).headers.authorization;
      return next(args);
    };
    unsigned.middlewareStack.addRelativeTo(dropSignature, {
      relation: 'after',
      toMiddleware: 'httpSigningMiddleware',
      name: 'dropSignature',
    });

    const error = await rejectionOf(unsigned.send(new ListExportsCommand({})));
    unsigned.destroy();

    expect(error).toBeInstanceOf(BCMDataExportsServiceException);
    expect(error.name).toBe('MissingAuthenticationTokenException');
  });
});

describe('starting the emulator', () => {
  it('refuses an account id that is not 12 digits', async () => {
    await expect(startDataExportsEmulator({ port: 0, accountId: '1234' })).rejects.toThrow(
      'account id must be 12 digits, not 1234',
    );
  });
});
