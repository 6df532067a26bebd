import { durationMs } from '../domain/durations';
import { ApplicationFailure, condition, ParentClosePolicy, startChild } from '@temporalio/workflow';
import type { CustomerAccessInput } from '../domain/customer-access';
import { costReportManifestLocation } from '../domain/cost-report';
import { dataExportManifestLocation, includesDataExport, includesLegacyReport } from '../domain/data-export';
import { costReportSpecFor, dataExportDefinitionFor, sandboxDeployRequest } from '../domain/install-requests';
import { expectedRunnerIdentity, installResourceNames, sandboxNamingOf } from '../domain/install-names';
import { inWorker, quick, stackWait } from './activity-profiles';
import type { InstallInput, InstallTimeouts } from './definitions';
import { firstReportWatchId, firstReportWatchWorkflow } from './first-report-watch';
import type { InstallTracker } from './install-tracker';

/** Thrown between steps when a deprovision request arrives mid-provisioning: stop creating, start removing. */
export class DeprovisionRequested extends Error {
  constructor() {
    super('Deprovisioning was requested');
    this.name = 'DeprovisionRequested';
  }
}

/**
 * Phases 3-5: the sandbox stack, the Cost and Usage Report, the runner hand-off. Each resource is recorded in the
 * status as soon as it exists, which is what teardown (compensation or deprovisioning) works from.
 */
export async function provisionInstall(
  tracker: InstallTracker,
  input: InstallInput,
  access: CustomerAccessInput,
  timeouts: InstallTimeouts,
  deprovisionRequested: () => boolean,
): Promise<void> {
  const { status } = tracker;
  const names = installResourceNames({ ...input, sandboxNaming: sandboxNamingOf(status) });
  const checkpoint = () => {
    if (deprovisionRequested()) throw new DeprovisionRequested();
  };

  checkpoint();
  tracker.enter('provisioning_sandbox');
  const sandbox = tracker.recordSandbox(status.sandbox ?? { stackName: names.stackName });
  const approvedChangeSet = status.approval?.changeSet;
  await tracker.step('deploy_sandbox', async () => {
    if (approvedChangeSet) {
      // Exactly what the approver saw: CloudFormation's own change set, not a new CreateStack.
      await quick(`Create the sandbox stack ${names.stackName} from the approved change set`).executeSandboxChangeSet({
        access,
        changeSetId: approvedChangeSet.changeSetId,
        clientRequestToken: `install-${input.installId}`,
      });
      tracker.recordSandbox({ ...sandbox, stackId: approvedChangeSet.stackId });
    } else {
      const deployed = await quick(`Create the sandbox stack ${names.stackName}`).deploySandboxStack(
        sandboxDeployRequest(input, access, sandboxNamingOf(status)),
      );
      tracker.recordSandbox({ ...sandbox, stackId: deployed.stackId });
    }
    const settled = await stackWait(timeouts.sandboxStack, `Wait for ${names.stackName} to finish`).waitForSandboxStack(
      { access, stackId: sandbox.stackId! },
    );
    tracker.recordSandbox({ ...sandbox, stackStatus: settled.stackStatus, outputs: settled.outputs });
  });

  checkpoint();
  tracker.enter('configuring_cur');
  const kind = names.costReportKind;
  const cur = tracker.recordCostReport({
    bucket: names.curBucket,
    prefix: names.curPrefix,
    reportName: names.curReportName,
    kind,
  });
  await tracker.step('create_cur_bucket', async () => {
    const bucket = await quick(`Create the CUR bucket ${cur.bucket}`).ensureCurBucket({ access, bucket: cur.bucket });
    tracker.recordCostReport({ bucketCreatedByInstall: bucket.createdByInstall });
  });
  await tracker.step('apply_cur_bucket_policy', async () => {
    // Recorded before the call: a timed-out PutBucketPolicy may still have landed, and teardown must look.
    tracker.recordCostReport({ policyApplied: true });
    await quick('Let the billing services deliver to the bucket').applyCurBucketPolicy({
      access,
      bucket: cur.bucket,
      partition: names.partition,
      kind,
    });
  });
  if (includesLegacyReport(kind)) {
    await tracker.step('define_cost_report', async () => {
      const defined = await quick(`Define the daily cost report ${cur.reportName}`).defineCostReport({
        access,
        spec: costReportSpecFor(input, cur),
      });
      tracker.recordCostReport({ reportDefinition: defined.result });
    });
  }
  if (includesDataExport(kind)) {
    const dataExport = { name: names.dataExportName };
    tracker.recordDataExport(dataExport);
    await tracker.step('define_data_export', async () => {
      const defined = await quick(`Create the CUR 2.0 data export ${dataExport.name}`).defineDataExport({
        access,
        definition: dataExportDefinitionFor(input, cur),
      });
      tracker.recordDataExport({ ...dataExport, exportArn: defined.exportArn, result: defined.result });
    });
  }
  // Installs that started before the watch existed replay without it.
  if (tracker.patches.has('first-report-watch') && input.cur?.firstReport?.watch !== false) {
    await startFirstReportWatch(tracker, input, access);
  }

  checkpoint();
  tracker.enter('handing_off');
  const registration = await tracker.step('register_runner', () =>
    inWorker(tracker, 'Issue the runner registration').issueRunnerRegistration({ installId: input.installId }),
  );
  // Runs recorded before this release got the identity and an expiry from the worker too; both are set here alike.
  tracker.recordRunnerRegistration({
    registrationId: registration.registrationId,
    tokenSha256: registration.tokenSha256,
    expectedIdentity: expectedRunnerIdentity(names),
    // The check-in's validator reads the expiry on the install's clock: set on that clock too, not the worker's.
    expiresAt: new Date(Date.now() + durationMs(timeouts.runnerCheckIn)).toISOString(),
  });
  await tracker.step('runner_check_in', async () => {
    const arrived = await condition(
      () => status.runner?.checkedInAt !== undefined || deprovisionRequested(),
      timeouts.runnerCheckIn,
    );
    checkpoint();
    if (!arrived) {
      throw ApplicationFailure.nonRetryable(
        `The runner did not check in within ${String(timeouts.runnerCheckIn)}.`,
        'RunnerCheckInTimedOut',
      );
    }
  });
}

/**
 * Starts the watch for the first delivery without waiting for it: the install goes on to the runner hand-off while
 * AWS takes its time. Abandoned on close, so the install's own continue-as-new does not end it.
 */
async function startFirstReportWatch(
  tracker: InstallTracker,
  input: InstallInput,
  access: CustomerAccessInput,
): Promise<void> {
  const cur = tracker.status.cur!;
  const watchWorkflowId = firstReportWatchId(input.installId);
  const since = new Date().toISOString();
  await startChild(firstReportWatchWorkflow, {
    workflowId: watchWorkflowId,
    parentClosePolicy: ParentClosePolicy.ABANDON,
    staticSummary: `Watch s3://${cur.bucket}/${cur.prefix}/ for the first cost report`,
    args: [
      {
        installId: input.installId,
        access,
        bucket: cur.bucket,
        ...(cur.dataExport && !cur.reportDefinition
          ? dataExportManifestLocation(cur.prefix, cur.dataExport.name)
          : costReportManifestLocation(cur.prefix, cur.reportName)),
        startedAt: since,
        options: input.cur?.firstReport ?? {},
      },
    ],
  });
  tracker.startFirstReportWatch(watchWorkflowId, since);
}
