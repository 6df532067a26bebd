/**
 * The shapes of the BCM Data Exports model (bcm-data-exports 2023-11-26) that the emulator enforces, as the newest
 * Smithy model states them (aws/aws-sdk-js-v3 codegen/sdk-codegen/aws-models/bcm-data-exports.json) and the API
 * reference repeats them. Where the service has grown past the installed SDK (3.965.0: no S3BucketOwner, OutputType
 * only CUSTOM, MaxResults unbounded), the service wins: the SDK passes any string through, and so does AWS.
 */

import type { Bounds, StringShape } from '../aws-json/structure-reader';

/** The model's targetPrefix: x-amz-target is AWSBillingAndCostManagementDataExports.<operation>. */
export const targetPrefix = 'AWSBillingAndCostManagementDataExports';
/** ServiceQuotaExceededException's ServiceCode "will always be AWSBillingAndCostManagementDataExports". */
export const serviceCode = targetPrefix;
/** Data Exports answers in us-east-1 only, so every export ARN names it. */
export const exportsRegion = 'us-east-1';

export const compressionOptions = ['GZIP', 'PARQUET'] as const;
export const formatOptions = ['TEXT_OR_CSV', 'PARQUET'] as const;
// SDK 3.965.0 knows only CUSTOM; the service has since added the other two.
export const s3OutputTypes = ['CUSTOM', 'ATHENA', 'REDSHIFT'] as const;
export const overwriteOptions = ['CREATE_NEW_REPORT', 'OVERWRITE_REPORT'] as const;
export const frequencyOptions = ['SYNCHRONOUS'] as const;

export type CompressionOption = (typeof compressionOptions)[number];
export type FormatOption = (typeof formatOptions)[number];
export type S3OutputType = (typeof s3OutputTypes)[number];
export type OverwriteOption = (typeof overwriteOptions)[number];
export type FrequencyOption = (typeof frequencyOptions)[number];

const anyText = String.raw`^[\S\s]*$`;

// Older models allowed `!.*'()` in a name too; the service has narrowed it to this.
export const exportNameShape: StringShape = { minLength: 1, maxLength: 128, pattern: String.raw`^[0-9A-Za-z\-_]+$` };
export const arnShape: StringShape = {
  minLength: 20,
  maxLength: 2048,
  pattern: String.raw`^arn:aws[-a-z0-9]*:(bcm-data-exports):[-a-z0-9]*:[0-9]{12}:[-a-zA-Z0-9/:_]+$`,
};
export const genericStringShape: StringShape = { minLength: 0, maxLength: 1024, pattern: anyText };
export const queryStatementShape: StringShape = { minLength: 1, maxLength: 36_000, pattern: anyText };
export const tableNameShape: StringShape = { minLength: 0, maxLength: 1024, pattern: anyText };
export const tablePropertyShape: StringShape = { minLength: 0, maxLength: 1024, pattern: anyText };
export const tablePropertyValueShape: StringShape = { minLength: 0, maxLength: 16_384, pattern: anyText };
export const accountIdShape: StringShape = { minLength: 12, maxLength: 12, pattern: String.raw`^[0-9]{12}$` };
export const resourceTagKeyShape: StringShape = { minLength: 1, maxLength: 128 };
export const resourceTagValueShape: StringShape = { minLength: 0, maxLength: 256 };
export const nextPageTokenShape: StringShape = { minLength: 0, maxLength: 8192, pattern: anyText };

export const maxResultsRange: Bounds = { min: 1, max: 300 };
export const resourceTagListLength: Bounds = { min: 0, max: 200 };

/** A list's page when MaxResults is left out: the model sets no default, so the emulator takes the model's maximum. */
export const defaultPageSize = 300;

/** "Cost and Usage Report 2.0 (CUR 2.0): 5 exports" (Data Exports user guide, Creating data exports). */
export const exportsPerTable = 5;

export interface S3OutputConfigurations {
  OutputType: S3OutputType;
  Format: FormatOption;
  Compression: CompressionOption;
  Overwrite: OverwriteOption;
}

export interface S3Destination {
  S3Bucket: string;
  S3BucketOwner?: string;
  S3Prefix: string;
  S3Region: string;
  S3OutputConfigurations: S3OutputConfigurations;
}

export interface DataQuery {
  QueryStatement: string;
  TableConfigurations?: Record<string, Record<string, string>>;
}

/** An Export as a request gives it: ExportArn is the service's to set, so a stored export keeps it apart. */
export interface ExportDefinition {
  ExportArn?: string;
  Name: string;
  Description?: string;
  DataQuery: DataQuery;
  DestinationConfigurations: { S3Destination: S3Destination };
  RefreshCadence: { Frequency: FrequencyOption };
}

export interface ResourceTag {
  Key: string;
  Value: string;
}
