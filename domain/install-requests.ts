import type { CustomerAccessInput } from './customer-access';
import type { CostReportSpec, CurFormat, CurVersioning } from './cost-report';
import { renderDataExportDefinition, type DataExportDefinition } from './data-export';
import { installResourceNames, type InstallResourceInput, type SandboxNaming } from './install-names';
import type { SandboxTemplateName } from './sandbox-template';

/** What the cost-report definitions read from an install's input. */
export interface CostReportRequestInput {
  region: string;
  cur?: { format?: CurFormat; versioning?: CurVersioning };
}

/** What the sandbox stack's request reads from an install's input. */
export type SandboxRequestInput = Omit<InstallResourceInput, 'sandboxNaming'> & {
  sandbox?: { template?: SandboxTemplateName; parameters?: Record<string, string> };
};

/** The legacy CUR definition the install sets up, and re-checks while active. */
export function costReportSpecFor(
  input: CostReportRequestInput,
  cur: { reportName: string; bucket: string; prefix: string },
): CostReportSpec {
  return {
    reportName: cur.reportName,
    bucket: cur.bucket,
    prefix: cur.prefix,
    bucketRegion: input.region,
    // Only what the install asked for: the defaults are the renderer's, and an absent field costs no history.
    ...(input.cur?.format ? { format: input.cur.format } : {}),
    ...(input.cur?.versioning ? { versioning: input.cur.versioning } : {}),
  };
}

/** The CUR 2.0 export the install sets up (when asked to), and re-checks while active. */
export function dataExportDefinitionFor(
  input: CostReportRequestInput,
  cur: { dataExport?: { name: string }; bucket: string; prefix: string },
): DataExportDefinition {
  return renderDataExportDefinition({
    exportName: cur.dataExport!.name,
    bucket: cur.bucket,
    prefix: cur.prefix,
    bucketRegion: input.region,
  });
}

/** The sandbox stack's request, the same whether it is planned for approval or created directly. */
export function sandboxDeployRequest(
  input: SandboxRequestInput,
  access: CustomerAccessInput,
  sandboxNaming: SandboxNaming,
) {
  const names = installResourceNames({ ...input, sandboxNaming });
  return {
    access,
    stackName: names.stackName,
    template: input.sandbox?.template ?? 'runner-minimal',
    parameters: {
      ResourcePrefix: names.sandboxResourcePrefix,
      AccountId: input.awsAccountId,
      ...input.sandbox?.parameters,
    },
    clientRequestToken: `install-${input.installId}`,
  };
}
