import { includesDataExport, includesLegacyReport, type CostReportKind } from './data-export';
import { isValidInstallId } from './install-names';
import { permissionsBoundaryProblem } from './permissions-boundary';

/**
 * The names an install writes cost reports under. Each one is rendered into IAM policies (where `*`, `?` and `${…}`
 * are wildcards and variables), S3 keys, CloudFormation templates (`${` in Fn::Sub), Terraform (`${` and `%{`
 * templates) and a shell script (single-quoted there, `'` escaped), so each must mean exactly one literal place in
 * all of them: no `*`, `?`, `$`, `%`, `{`, no white space, and for the prefix no empty, `.` or `..` segment and no
 * `/` at either end, so that `<prefix>/<report>/*` covers only the report's own folder.
 *
 * The characters left are the ones CUR allows (`[0-9A-Za-z!\-_.*'()]`) without `*`; export names are Data Exports'
 * own `[0-9A-Za-z\-_]`.
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_cur_ReportDefinition.html
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_bcmDataExports_Export.html
 */
const literal = "[0-9A-Za-z!_.'()-]";
const notDots = '(?!\\.{1,2}(?:/|$))';
const segment = `${notDots}${literal}+`;

/** JSON-schema patterns (ECMAScript) for the API, the same rules as checkCostReportNames. */
export const costReportNamePatterns = {
  bucketName: /^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  prefix: new RegExp(`^${segment}(?:/${segment})*$`),
  reportName: new RegExp(`^${segment}$`),
  exportName: /^[0-9A-Za-z_-]+$/,
};

export const costReportNameLimits = { bucketName: 63, prefix: 200, reportName: 256, exportName: 128 };

export interface CostReportNames {
  bucketName?: string;
  prefix?: string;
  reportName?: string;
  exportName?: string;
}

const rules: Record<keyof CostReportNames, string> = {
  bucketName:
    'an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, no "..", letters or digits at both ends',
  prefix:
    "folders of letters, digits and ! _ . ' ( ) - separated by single slashes, no slash at either end, no '.' or '..' folder, no * ? $ % { or spaces",
  reportName: "letters, digits and ! _ . ' ( ) -, not '.' or '..', no * ? $ % { or spaces",
  exportName: 'letters, digits, _ and -',
};

/**
 * The first cost-report name that breaks the rules above, with what it should look like; undefined when all hold.
 *
 * @example
 * checkCostReportNames({ prefix: 'billing/*' })
 * // → { field: 'prefix', problem: 'cur.prefix "billing/*" must be folders of letters, digits and …' }
 */
export function checkCostReportNames(
  names: CostReportNames,
): { field: keyof CostReportNames; problem: string } | undefined {
  for (const field of Object.keys(rules) as (keyof CostReportNames)[]) {
    const value = names[field];
    if (value === undefined) continue;
    const valid =
      typeof value === 'string' &&
      value.length <= costReportNameLimits[field] &&
      costReportNamePatterns[field].test(value);
    if (!valid) {
      const shown = typeof value === 'string' && value.length <= 100 ? JSON.stringify(value) : '(too long)';
      return {
        field,
        problem: `cur.${field} ${shown} must be ${rules[field]}, at most ${costReportNameLimits[field]} characters.`,
      };
    }
  }
  return undefined;
}

/**
 * What is wrong with an install's input before it creates anything, or undefined. The API checks the same rules;
 * the workflow checks again at start because inputs also come from other clients (and from before these rules).
 */
export function invalidInstallInput(input: {
  installId: string;
  awsAccountId?: string;
  region?: string;
  cur?: CostReportNames & { kind?: CostReportKind };
  permissionsBoundary?: string;
}): string | undefined {
  if (!isValidInstallId(input.installId)) {
    return `installId ${JSON.stringify(input.installId.slice(0, 100))} must be 3 to 40 lower-case letters, digits and hyphens, letters or digits at both ends.`;
  }
  if (input.permissionsBoundary !== undefined) {
    const problem = permissionsBoundaryProblem(String(input.permissionsBoundary), {
      awsAccountId: input.awsAccountId ?? '',
      region: input.region ?? '',
    });
    if (problem) return problem;
  }
  return input.cur ? checkCostReportNames(input.cur)?.problem : undefined;
}

/**
 * The folders the install's reports write in, each ending in `/`: the legacy report writes under
 * `<prefix>/<report>/` (see costReportManifestLocation), a CUR 2.0 export under `<prefix>/<export>/` (data/ and
 * metadata/, see dataExportManifestLocation). Teardown deletes objects there and nowhere else.
 */
export function costReportFolders(cur: {
  prefix: string;
  kind?: CostReportKind;
  reportName: string;
  exportName?: string;
}): string[] {
  const folders = [
    ...(includesLegacyReport(cur.kind) ? [`${cur.prefix}/${cur.reportName}/`] : []),
    ...(includesDataExport(cur.kind) && cur.exportName ? [`${cur.prefix}/${cur.exportName}/`] : []),
  ];
  return [...new Set(folders)];
}
