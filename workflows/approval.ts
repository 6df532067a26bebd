import { durationMs } from '../domain/durations';
import { condition } from '@temporalio/workflow';
import type { CustomerAccessInput } from '../domain/customer-access';
import type { PlannedChange } from '../domain/planned-change';
import { dataExportsServicePrincipal, includesDataExport, includesLegacyReport } from '../domain/data-export';
import {
  installResourceNames,
  runnerJobsQueueName,
  sandboxArtifactsBucketName,
  sandboxNamingOf,
  type SandboxNaming,
} from '../domain/install-names';
import { sandboxDeployRequest } from '../domain/install-requests';
import { quick, stackWait } from './activity-profiles';
import type { ApprovalDecision, InstallInput, InstallTimeouts } from './definitions';
import type { InstallTracker } from './install-tracker';

export const defaultApprovalExpiry = '30 days';

/**
 * What provisioning will create, in words an approver on the customer's side can check: the sandbox as
 * CloudFormation's change set lists it (or, for installs from before change sets, as the template says), then the
 * cost-report resources, which are not CloudFormation's.
 */
export function approvalPlan(input: InstallInput, sandboxNaming: SandboxNaming, changes?: PlannedChange[]): string[] {
  const names = installResourceNames({ ...input, sandboxNaming });
  const prefix = names.sandboxResourcePrefix;
  const stack = `CloudFormation stack ${names.stackName} (template ${input.sandbox?.template ?? 'runner-minimal'}) in ${input.region}`;
  return [
    ...(changes
      ? changes.map(
          (change) =>
            `${stack}: ${change.action} ${change.resourceType} ${change.logicalResourceId}` +
            (change.replacement && change.replacement !== 'False' ? ` (replacement: ${change.replacement})` : ''),
        )
      : [
          stack,
          `S3 bucket ${sandboxArtifactsBucketName(prefix, input.awsAccountId)} and SQS queue ${runnerJobsQueueName(prefix)}, created by that stack`,
        ]),
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
 * Asks CloudFormation for the sandbox's change set. Nothing is created but an empty stack in REVIEW_IN_PROGRESS,
 * recorded as the sandbox so that a rejection, an expiry or teardown removes it.
 */
async function planSandbox(
  tracker: InstallTracker,
  input: InstallInput,
  access: CustomerAccessInput,
  timeouts: InstallTimeouts,
) {
  const request = sandboxDeployRequest(input, access, sandboxNamingOf(tracker.status));
  return tracker.step('plan_sandbox', async () => {
    const planned = await quick(
      `Ask CloudFormation what creating ${request.stackName} would change`,
    ).createSandboxChangeSet({ ...request, changeSetName: request.stackName });
    tracker.recordSandbox({
      stackName: request.stackName,
      stackId: planned.stackId,
      stackStatus: 'REVIEW_IN_PROGRESS',
    });
    const { changes } = await stackWait(timeouts.sandboxStack, 'Wait for the change set').waitForSandboxChangeSet({
      access,
      changeSetId: planned.changeSetId,
    });
    return { ...planned, changes };
  });
}

/**
 * Waits for an approve or reject decision on the plan, or for the approval to expire. Nothing but the change set's
 * empty stack exists in the customer account yet; the caller removes it when the answer is no.
 */
export async function awaitApproval(
  tracker: InstallTracker,
  input: InstallInput,
  access: CustomerAccessInput,
  timeouts: InstallTimeouts,
  decision: () => ApprovalDecision | undefined,
  deprovisionRequested: () => boolean,
): Promise<'approved' | 'rejected' | 'expired' | 'deprovision'> {
  const expiresAfter = input.approval?.expiresAfter ?? defaultApprovalExpiry;
  // Installs that reached approval before change sets replay without one.
  const changeSet = tracker.patches.has('approval-change-set')
    ? await planSandbox(tracker, input, access, timeouts)
    : undefined;
  tracker.requestApproval({
    plan: approvalPlan(input, sandboxNamingOf(tracker.status), changeSet?.changes),
    ...(changeSet ? { changeSet } : {}),
    requestedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + durationMs(expiresAfter)).toISOString(),
  });
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
  const answer = decision()!;
  tracker.recordApprovalDecision(answer);
  return answer.approve ? 'approved' : 'rejected';
}
