import type { ReportDefinition } from '@aws-sdk/client-cost-and-usage-report-service';
import { CurServiceError } from './protocol';

// Constraints from the CUR API reference (ReportDefinition data type, cur-2017-01-06).
const reportNamePattern = /^[0-9A-Za-z!\-_.*'()]+$/;
const bucketPattern = /^[A-Za-z0-9_.-]+$/;
const prefixPattern = /^[0-9A-Za-z!\-_.*'()/]*$/;
const timeUnits = ['HOURLY', 'DAILY', 'MONTHLY'];
const formats = ['textORcsv', 'Parquet'];
const compressions = ['ZIP', 'GZIP', 'Parquet'];
const schemaElements = ['RESOURCES', 'SPLIT_COST_ALLOCATION_DATA', 'MANUAL_DISCOUNT_COMPATIBILITY'];
const artifacts = ['REDSHIFT', 'QUICKSIGHT', 'ATHENA'];
const versionings = ['CREATE_NEW_REPORT', 'OVERWRITE_REPORT'];
const regions = [
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
];

function invalid(message: string): never {
  throw new CurServiceError('ValidationException', message);
}

function requireString(value: unknown, field: string, maxLength: number, pattern: RegExp): string {
  if (typeof value !== 'string') invalid(`${field} is required`);
  if (value.length > maxLength) invalid(`${field} must be at most ${maxLength} characters`);
  if (!pattern.test(value)) invalid(`${field} does not satisfy the constraint: must match ${pattern.source}`);
  return value;
}

function requireOneOf(value: unknown, field: string, allowed: string[]): string {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    invalid(
      `Value '${String(value)}' at '${field}' failed to satisfy constraint: must be one of [${allowed.join(', ')}]`,
    );
  }
  return value;
}

export function validateReportName(name: unknown): string {
  return requireString(name, 'ReportName', 256, reportNamePattern);
}

/** The checks AWS applies to a report definition before it accepts one. */
export function validateReportDefinition(definition: unknown): ReportDefinition {
  if (typeof definition !== 'object' || definition === null) invalid('ReportDefinition is required');
  const d = definition as Record<string, unknown>;
  validateReportName(d.ReportName);
  requireOneOf(d.TimeUnit, 'TimeUnit', timeUnits);
  const format = requireOneOf(d.Format, 'Format', formats);
  const compression = requireOneOf(d.Compression, 'Compression', compressions);
  if (!Array.isArray(d.AdditionalSchemaElements)) invalid('AdditionalSchemaElements is required');
  for (const element of d.AdditionalSchemaElements) requireOneOf(element, 'AdditionalSchemaElements', schemaElements);
  requireString(d.S3Bucket, 'S3Bucket', 256, bucketPattern);
  requireString(d.S3Prefix, 'S3Prefix', 256, prefixPattern);
  requireOneOf(d.S3Region, 'S3Region', regions);
  const requestedArtifacts = (d.AdditionalArtifacts ?? []) as unknown[];
  if (!Array.isArray(requestedArtifacts)) invalid('AdditionalArtifacts must be a list');
  for (const artifact of requestedArtifacts) requireOneOf(artifact, 'AdditionalArtifacts', artifacts);
  if (d.RefreshClosedReports !== undefined && typeof d.RefreshClosedReports !== 'boolean') {
    invalid('RefreshClosedReports must be a boolean');
  }
  const versioning =
    d.ReportVersioning === undefined ? undefined : requireOneOf(d.ReportVersioning, 'ReportVersioning', versionings);

  // "Parquet format must be used with Parquet compression" (CUR user guide, report formats).
  if ((format === 'Parquet') !== (compression === 'Parquet')) {
    invalid(`Format ${format} cannot be used with compression ${compression}`);
  }
  if (requestedArtifacts.includes('ATHENA')) {
    // Athena integration: Parquet, overwrite existing reports, and no other artifact.
    if (format !== 'Parquet') invalid('ATHENA requires the Parquet format');
    if (versioning !== 'OVERWRITE_REPORT') invalid('ATHENA requires ReportVersioning OVERWRITE_REPORT');
    if (requestedArtifacts.length > 1) invalid('ATHENA cannot be combined with other additional artifacts');
  }
  if (requestedArtifacts.includes('REDSHIFT') || requestedArtifacts.includes('QUICKSIGHT')) {
    // Redshift and QuickSight read CSV manifests only.
    if (format !== 'textORcsv') invalid('REDSHIFT and QUICKSIGHT require the textORcsv format');
  }
  if (requestedArtifacts.includes('REDSHIFT') && compression !== 'GZIP') invalid('REDSHIFT requires GZIP compression');
  return definition as ReportDefinition;
}
