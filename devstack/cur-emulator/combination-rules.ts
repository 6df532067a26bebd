import { validationError } from '../aws-json/service-error';
import type { ReportDefinition } from './model';

/**
 * Rules across members that AWS enforces beyond each member's shape. AWS answers a broken one with a bare
 * ValidationException ("AWS API unhelpfully just returns an empty ValidationException", terraform-provider-aws,
 * internal/service/cur/report_definition.go); the emulator names the rule so a failing test says why.
 */
export function checkCombinationRules(definition: ReportDefinition): void {
  const { Format, Compression, S3Prefix, ReportVersioning } = definition;
  const artifacts = definition.AdditionalArtifacts ?? [];

  // "If you choose Parquet for the Format, you must also specify Parquet for the Compression parameter. If you
  // choose textORcsv for the Format, you must specify ZIP or GZIP for the Compression parameter." (API reference,
  // ReportDefinition)
  if ((Format === 'Parquet') !== (Compression === 'Parquet')) {
    throw validationError(
      `Format ${Format} cannot be used with Compression ${Compression}: Parquet goes only with Parquet, ` +
        'textORcsv only with ZIP or GZIP',
    );
  }

  // The console's create-report form, as terraform-provider-aws encodes it: "When ATHENA exists within
  // additional_artifacts, no other artifact type can be declared", "prefix cannot be empty", "report_versioning
  // must be OVERWRITE_REPORT", "both format and compression must be Parquet".
  if (artifacts.includes('ATHENA')) {
    if (artifacts.length > 1) throw validationError('ATHENA cannot be combined with other AdditionalArtifacts');
    if (S3Prefix === '') throw validationError('ATHENA requires a non-empty S3Prefix');
    if (ReportVersioning !== 'OVERWRITE_REPORT')
      throw validationError('ATHENA requires ReportVersioning OVERWRITE_REPORT');
    if (Format !== 'Parquet') throw validationError('ATHENA requires Format and Compression Parquet');
    return;
  }

  // "When additional_artifacts includes QUICKSIGHT and/or REDSHIFT, format must not be Parquet" (same source); the
  // rule above then leaves textORcsv with ZIP or GZIP, which is what the AWS CLI's put-report-definition example
  // pairs REDSHIFT and QUICKSIGHT with.
  if (artifacts.length > 0 && Format === 'Parquet') {
    throw validationError('REDSHIFT and QUICKSIGHT require Format textORcsv with Compression ZIP or GZIP');
  }
}
