/**
 * The shapes of the CUR API model (cur-2017-01-06) that the emulator enforces, as the AWS API reference and botocore's
 * service-2.json state them. Where the service has grown past the installed SDK (3.332.0), the service wins: the SDK
 * passes any string through, and so does AWS.
 */

import type { StringShape } from '../aws-json/structure-reader';

export const timeUnits = ['HOURLY', 'DAILY', 'MONTHLY'] as const;
export const reportFormats = ['textORcsv', 'Parquet'] as const;
export const compressionFormats = ['ZIP', 'GZIP', 'Parquet'] as const;
// SDK 3.332.0 knows only RESOURCES; the service has since added the other two.
export const schemaElements = ['RESOURCES', 'SPLIT_COST_ALLOCATION_DATA', 'MANUAL_DISCOUNT_COMPATIBILITY'] as const;
export const additionalArtifacts = ['REDSHIFT', 'QUICKSIGHT', 'ATHENA'] as const;
export const reportVersionings = ['CREATE_NEW_REPORT', 'OVERWRITE_REPORT'] as const;
export const lastStatuses = ['SUCCESS', 'ERROR_PERMISSIONS', 'ERROR_NO_BUCKET'] as const;
// SDK 3.332.0 lacks ap-south-2 and eu-central-2.
export const awsRegions = [
  'af-south-1',
  'ap-east-1',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ca-central-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'me-central-1',
  'me-south-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'cn-north-1',
  'cn-northwest-1',
] as const;

export type TimeUnit = (typeof timeUnits)[number];
export type ReportFormat = (typeof reportFormats)[number];
export type CompressionFormat = (typeof compressionFormats)[number];
export type SchemaElement = (typeof schemaElements)[number];
export type AdditionalArtifact = (typeof additionalArtifacts)[number];
export type ReportVersioning = (typeof reportVersionings)[number];
export type LastStatus = (typeof lastStatuses)[number];
export type AwsRegion = (typeof awsRegions)[number];

export const reportNameShape: StringShape = { maxLength: 256, pattern: String.raw`[0-9A-Za-z!\-_.*\'()]+` };
export const s3BucketShape: StringShape = { maxLength: 256, pattern: String.raw`[A-Za-z0-9_\.\-]+` };
export const s3PrefixShape: StringShape = { maxLength: 256, pattern: String.raw`[0-9A-Za-z!\-_.*\'()/]*` };
export const billingViewArnShape: StringShape = {
  maxLength: 128,
  pattern: String.raw`(arn:aws(-cn)?:billing::[0-9]{12}:billingview/)?[a-zA-Z0-9_\+=\.\-@].{1,30}`,
};
export const lastDeliveryShape: StringShape = {
  minLength: 16,
  maxLength: 20,
  pattern: String.raw`[0-9]{8}[T][0-9]{6}([Z]|[+-][0-9]{4})`,
};
export const nextTokenShape: StringShape = { maxLength: 256, pattern: String.raw`[A-Za-z0-9_\.\-=]*` };

// MaxResults: "min": 5, "max": 5.
export const describePageSize = 5;
// ReportLimitReachedException: "This account already has five reports defined."
export const reportsPerAccount = 5;

export interface ReportStatus {
  lastDelivery?: string;
  lastStatus?: LastStatus;
}

export interface ReportDefinition {
  ReportName: string;
  TimeUnit: TimeUnit;
  Format: ReportFormat;
  Compression: CompressionFormat;
  AdditionalSchemaElements: SchemaElement[];
  S3Bucket: string;
  S3Prefix: string;
  S3Region: AwsRegion;
  AdditionalArtifacts?: AdditionalArtifact[];
  RefreshClosedReports?: boolean;
  ReportVersioning?: ReportVersioning;
  BillingViewArn?: string;
  ReportStatus?: ReportStatus;
}
