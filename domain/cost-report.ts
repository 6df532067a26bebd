import type { PolicyDocument } from './policy-document';
import { curApiRegion } from './permissions';

export type CurFormat = 'textORcsv' | 'Parquet';
export type CurVersioning = 'CREATE_NEW_REPORT' | 'OVERWRITE_REPORT';

/** The fields of a CUR report definition, in the SDK's shape, that this project sets. */
export interface CostReportDefinition {
  ReportName: string;
  TimeUnit: 'DAILY';
  Format: CurFormat;
  Compression: 'GZIP' | 'Parquet';
  AdditionalSchemaElements: ['RESOURCES'];
  S3Bucket: string;
  S3Prefix: string;
  S3Region: string;
  RefreshClosedReports: true;
  ReportVersioning: CurVersioning;
}

/**
 * What differs from one install's definition to another's; the rest of the definition is this project's constant
 * choice. Activities are sent this rather than the rendered definition, a third of its size, in every history.
 */
export interface CostReportSpec {
  reportName: string;
  bucket: string;
  prefix: string;
  bucketRegion: string;
  /** Default textORcsv. */
  format?: CurFormat;
  /** Default OVERWRITE_REPORT. */
  versioning?: CurVersioning;
}

export function renderCostReportDefinition(options: CostReportSpec): CostReportDefinition {
  const format = options.format ?? 'textORcsv';
  return {
    ReportName: options.reportName,
    TimeUnit: 'DAILY',
    Format: format,
    // CUR pairs formats and compressions: textORcsv with GZIP or ZIP, Parquet only with Parquet.
    Compression: format === 'Parquet' ? 'Parquet' : 'GZIP',
    AdditionalSchemaElements: ['RESOURCES'],
    S3Bucket: options.bucket,
    S3Prefix: options.prefix,
    S3Region: options.bucketRegion,
    RefreshClosedReports: true,
    ReportVersioning: options.versioning ?? 'OVERWRITE_REPORT',
  };
}

/** The settings in which an existing definition differs from the wanted one, by name; empty when it says the same. */
export function costReportDifferences(
  existing: Partial<CostReportDefinition>,
  wanted: CostReportDefinition,
): (keyof CostReportDefinition)[] {
  return (Object.keys(wanted) as (keyof CostReportDefinition)[]).filter(
    (key) => JSON.stringify(existing[key]) !== JSON.stringify(wanted[key]),
  );
}

/** Whether an existing definition already says what we want (then Put is a no-op, not a Modify). */
export function sameCostReportDefinition(
  existing: Partial<CostReportDefinition>,
  wanted: CostReportDefinition,
): boolean {
  return costReportDifferences(existing, wanted).length === 0;
}

export const curBucketPolicySidPrefix = 'InstallCostReportDelivery';

/**
 * Lets the billing service deliver reports, scoped to this account's report definitions.
 * https://docs.aws.amazon.com/cur/latest/userguide/cur-s3.html
 */
export function renderCurBucketPolicyStatements(options: {
  partition: string;
  accountId: string;
  bucket: string;
}): PolicyDocument['Statement'] {
  const conditions = {
    StringEquals: {
      'aws:SourceArn': `arn:${options.partition}:cur:${curApiRegion}:${options.accountId}:definition/*`,
      'aws:SourceAccount': options.accountId,
    },
  };
  const principal = { Service: 'billingreports.amazonaws.com' };
  return [
    {
      Sid: `${curBucketPolicySidPrefix}Read`,
      Effect: 'Allow',
      Principal: principal,
      Action: ['s3:GetBucketAcl', 's3:GetBucketPolicy'],
      Resource: `arn:${options.partition}:s3:::${options.bucket}`,
      Condition: conditions,
    },
    {
      Sid: `${curBucketPolicySidPrefix}Write`,
      Effect: 'Allow',
      Principal: principal,
      Action: 's3:PutObject',
      Resource: `arn:${options.partition}:s3:::${options.bucket}/*`,
      Condition: conditions,
    },
  ];
}

/** Adds (or refreshes) our statements in a bucket policy without touching the customer's own statements. */
export function mergeCurStatements(
  existing: PolicyDocument | undefined,
  ours: PolicyDocument['Statement'],
): PolicyDocument {
  const kept = (existing?.Statement ?? []).filter((statement) => !statement.Sid?.startsWith(curBucketPolicySidPrefix));
  return { Version: '2012-10-17', Statement: [...kept, ...ours] };
}

/** The bucket policy with our statements taken out; undefined when nothing of the customer's remains. */
export function withoutCurStatements(existing: PolicyDocument): PolicyDocument | undefined {
  const kept = existing.Statement.filter((statement) => !statement.Sid?.startsWith(curBucketPolicySidPrefix));
  return kept.length > 0 ? { Version: '2012-10-17', Statement: kept } : undefined;
}

/**
 * Where AWS writes the manifest of each delivery: `<prefix>/<report>/<yyyymmdd-yyyymmdd>/<report>-Manifest.json`.
 * The first manifest under the report's folder is the first delivery.
 * https://docs.aws.amazon.com/cur/latest/userguide/understanding-report-versions.html
 */
export function costReportManifestLocation(
  prefix: string,
  reportName: string,
): { keyPrefix: string; fileName: string } {
  return { keyPrefix: `${prefix}/${reportName}/`, fileName: `${reportName}-Manifest.json` };
}
