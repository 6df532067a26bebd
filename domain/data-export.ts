import type { PolicyDocument } from './policy-document';

/** Data Exports, like the legacy CUR API, exists only in us-east-1, whatever the install's home region. */
const dataExportsApiRegion = 'us-east-1';

/** Which cost reports an install sets up: the legacy CUR definition, a CUR 2.0 data export, or both. */
export type CostReportKind = 'legacy' | 'cur2' | 'both';

export const includesLegacyReport = (kind: CostReportKind | undefined) => kind === undefined || kind !== 'cur2';
export const includesDataExport = (kind: CostReportKind | undefined) => kind === 'cur2' || kind === 'both';

/**
 * CUR 2.0 wants the columns named (no `SELECT *`); these are the ones a cost tool reads, resource ids included.
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html
 */
const columns = [
  'bill_billing_period_start_date',
  'bill_payer_account_id',
  'identity_line_item_id',
  'identity_time_interval',
  'line_item_line_item_type',
  'line_item_operation',
  'line_item_product_code',
  'line_item_resource_id',
  'line_item_unblended_cost',
  'line_item_net_unblended_cost',
  'line_item_usage_account_id',
  'line_item_usage_amount',
  'line_item_usage_end_date',
  'line_item_usage_start_date',
  'line_item_usage_type',
  'pricing_public_on_demand_cost',
  'product_region_code',
  'reservation_effective_cost',
  'resource_tags',
  'savings_plan_savings_plan_effective_cost',
];

/** The export as the SDK's CreateExport takes it (`Export`), with the settings the legacy report also uses. */
export interface DataExportDefinition {
  Name: string;
  Description: string;
  DataQuery: {
    QueryStatement: string;
    TableConfigurations: { COST_AND_USAGE_REPORT: Record<string, string> };
  };
  DestinationConfigurations: {
    S3Destination: {
      S3Bucket: string;
      S3Prefix: string;
      S3Region: string;
      S3OutputConfigurations: {
        OutputType: 'CUSTOM';
        Format: 'PARQUET';
        Compression: 'PARQUET';
        Overwrite: 'OVERWRITE_REPORT';
      };
    };
  };
  RefreshCadence: { Frequency: 'SYNCHRONOUS' };
}

export function renderDataExportDefinition(options: {
  exportName: string;
  bucket: string;
  prefix: string;
  bucketRegion: string;
}): DataExportDefinition {
  return {
    Name: options.exportName,
    Description: 'Cost and usage (CUR 2.0) for the vendor, daily with resource ids; created by the install.',
    DataQuery: {
      QueryStatement: `SELECT ${columns.join(', ')} FROM COST_AND_USAGE_REPORT`,
      TableConfigurations: {
        COST_AND_USAGE_REPORT: {
          TIME_GRANULARITY: 'DAILY',
          INCLUDE_RESOURCES: 'TRUE',
          INCLUDE_SPLIT_COST_ALLOCATION_DATA: 'FALSE',
          INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: 'FALSE',
        },
      },
    },
    DestinationConfigurations: {
      S3Destination: {
        S3Bucket: options.bucket,
        S3Prefix: options.prefix,
        S3Region: options.bucketRegion,
        S3OutputConfigurations: {
          OutputType: 'CUSTOM',
          Format: 'PARQUET',
          Compression: 'PARQUET',
          Overwrite: 'OVERWRITE_REPORT',
        },
      },
    },
    // Data Exports refreshes closed months on its own whenever AWS restates them: SYNCHRONOUS is its only cadence.
    RefreshCadence: { Frequency: 'SYNCHRONOUS' },
  };
}

/** The settings in which an existing export differs from the wanted one, by path; empty when it says the same. */
export function dataExportDifferences(existing: unknown, wanted: DataExportDefinition): string[] {
  const differences: string[] = [];
  const compare = (have: unknown, want: unknown, path: string) => {
    if (typeof want === 'object' && want !== null) {
      for (const [key, value] of Object.entries(want)) {
        compare((have as Record<string, unknown> | undefined)?.[key], value, path ? `${path}.${key}` : key);
      }
    } else if (have !== want) {
      differences.push(path);
    }
  };
  compare(existing, { ...wanted, Description: undefined }, '');
  return differences.filter((path) => path !== 'Description');
}

/**
 * Where Data Exports writes each delivery's manifest:
 * `<prefix>/<export>/metadata/BILLING_PERIOD=<yyyy-mm>/<export>-Manifest.json`.
 * https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html
 */
export function dataExportManifestLocation(
  prefix: string,
  exportName: string,
): { keyPrefix: string; fileName: string } {
  return { keyPrefix: `${prefix}/${exportName}/metadata/`, fileName: `${exportName}-Manifest.json` };
}

export const dataExportsServicePrincipal = 'bcm-data-exports.amazonaws.com';

/** Lets Data Exports deliver, scoped to this account's exports (its own statements, next to the legacy CUR ones). */
export function renderDataExportBucketPolicyStatements(options: {
  partition: string;
  accountId: string;
  bucket: string;
  sidPrefix: string;
}): PolicyDocument['Statement'] {
  return [
    {
      Sid: `${options.sidPrefix}DataExports`,
      Effect: 'Allow',
      Principal: { Service: dataExportsServicePrincipal },
      Action: ['s3:PutObject', 's3:GetBucketPolicy'],
      Resource: [
        `arn:${options.partition}:s3:::${options.bucket}`,
        `arn:${options.partition}:s3:::${options.bucket}/*`,
      ],
      Condition: {
        StringLike: {
          'aws:SourceArn': `arn:${options.partition}:bcm-data-exports:${dataExportsApiRegion}:${options.accountId}:export/*`,
        },
        StringEquals: { 'aws:SourceAccount': options.accountId },
      },
    },
  ];
}
