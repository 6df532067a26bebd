import { msToNumber } from '@temporalio/common/lib/time';
import { condition } from '@temporalio/workflow';
import { dataExportsServicePrincipal, includesDataExport, includesLegacyReport } from '../domain/data-export';
import { installResourceNames, sandboxResourcePrefix } from '../domain/onboarding-artifacts';
import type { ApprovalDecision, InstallInput } from './definitions';
import type { InstallTracker } from './install-tracker';

export const defaultApprovalExpiry = '30 days';

/** What provisioning will create, in words an approver on the customer's side can check. */
export function approvalPlan(input: InstallInput): string[] {
  const names = installResourceNames(input);
  const prefix = sandboxResourcePrefix(input.installId);
  return [
    `CloudFormation stack ${names.stackName} (template ${input.sandbox?.template ?? 'runner-minimal'}) in ${input.region}`,
    `S3 bucket ${prefix}${input.awsAccountId}-artifacts and SQS queue ${prefix}runner-jobs, created by that stack`,
    `S3 bucket ${names.curBucket} (kept if it already exists) with a policy for ${[
      ...(includesLegacyReport(names.costReportKind) ? ['billingreports.amazonaws.com'] : []),
      ...(includesDataExport(names.costReportKind) ? [dataExportsServicePrincipal] : []),
    ].join(' and ')}`,
    ...(includesLegacyReport(names.costReportKind)
      ? [
          `Cost and Usage Report ${names.curReportName}: daily, resource IDs, into s3://${names.curBucket}/${names.curPrefix}/`,
        ]
      : []),
    ...(includesDataExport(names.costReportKind)
      ? [`CUR 2.0 data export ${names.dataExportName}: daily, resource IDs, Parquet, into the same prefix`]
      : []),
  ];
}

/**
 * Waits for an approve or reject decision on the plan, or for the approval to expire. Nothing has been created in
 * the customer account yet, so a rejection or an expiry simply ends the install.
 */
export async function awaitApproval(
  tracker: InstallTracker,
  input: InstallInput,
  decision: () => ApprovalDecision | undefined,
  deprovisionRequested: () => boolean,
): Promise<'approved' | 'rejected' | 'expired' | 'deprovision'> {
  const expiresAfter = input.approval?.expiresAfter ?? defaultApprovalExpiry;
  tracker.status.approval = {
    plan: approvalPlan(input),
    requestedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + msToNumber(expiresAfter)).toISOString(),
  };
  tracker.enter('awaiting_approval');
  const decided = await condition(() => decision() !== undefined || deprovisionRequested(), expiresAfter);
  if (deprovisionRequested()) return 'deprovision';
  if (!decided) {
    tracker.recordError({
      code: 'approval_expired',
      message: `No one approved the plan within ${String(expiresAfter)}.`,
    });
    return 'expired';
  }
  const { approve, by, reason } = decision()!;
  Object.assign(tracker.status.approval, {
    decision: approve ? 'approved' : 'rejected',
    decidedBy: by,
    decidedAt: new Date().toISOString(),
    reason,
  });
  return approve ? 'approved' : 'rejected';
}
