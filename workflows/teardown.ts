import type { Duration } from '@temporalio/common';
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import type { CustomerAccessInput } from '../domain/customer-access';
import { costReportFolders } from '../domain/cost-report-names';
import { stackWait, teardown } from './activity-profiles';
import type { InstallInput, Leftover } from './definitions';
import { summarizeFailure } from './failures';
import type { InstallTracker } from './install-tracker';

/**
 * Removes what the status says the install created, in reverse order of dependence: the runner's registration,
 * the report definition, the sandbox stack, then the CUR bucket. Every step is idempotent; what fails after its
 * retries is returned as a leftover, never dropped. Used both for deprovisioning and to compensate a failed phase.
 */
export async function tearDownInstall(
  tracker: InstallTracker,
  input: InstallInput,
  access: CustomerAccessInput | undefined,
  stackTimeout: Duration,
): Promise<Leftover[]> {
  const { status } = tracker;
  const leftovers: Leftover[] = [];
  const attempt = async (resource: string, identifier: string, remove: () => Promise<unknown>) => {
    try {
      await remove();
    } catch (error) {
      leftovers.push({ resource, identifier, reason: summarizeFailure(error).message });
    }
  };

  tracker.revokeRunner();
  if (!access) return leftovers;

  const cur = status.cur;
  const watch = cur?.firstReport;
  if (watch && (watch.state === 'waiting' || watch.state === 'overdue')) {
    try {
      await getExternalWorkflowHandle(watch.watchWorkflowId).cancel();
    } catch {
      // It had already finished: nothing to stop.
    }
    tracker.recordRemoval('first_report_watch');
  }
  if (cur?.reportDefinition) {
    await attempt('cur report definition', cur.reportName, async () => {
      await teardown(`Delete the cost report ${cur.reportName}`).deleteCostReport({
        access,
        reportName: cur.reportName,
      });
      tracker.recordRemoval('cost_report');
    });
  }

  const dataExport = cur?.dataExport;
  if (dataExport && dataExport.result !== undefined) {
    await attempt('cur 2.0 data export', dataExport.exportArn ?? dataExport.name, async () => {
      await teardown(`Delete the data export ${dataExport.name}`).deleteDataExport({
        access,
        exportName: dataExport.name,
        exportArn: dataExport.exportArn,
      });
      tracker.recordRemoval('data_export');
    });
  } else if (dataExport) {
    // The create may have landed without its answer: look it up by name.
    await attempt('cur 2.0 data export', dataExport.name, () =>
      teardown(`Delete the data export ${dataExport.name}, if it was created`).deleteDataExport({
        access,
        exportName: dataExport.name,
      }),
    );
  }

  const sandbox = status.sandbox;
  if (sandbox?.stackId) {
    const stackId = sandbox.stackId;
    await attempt('cloudformation stack', stackId, async () => {
      // Named in the summary by its name (the id is an ARN three times as long, in every history); deleted by id.
      await teardown(`Delete the sandbox stack ${sandbox.stackName}`).deleteSandboxStack({
        access,
        stackName: stackId,
      });
      await stackWait(stackTimeout, 'Wait for the sandbox stack to be deleted').waitForSandboxStackDeletion({
        access,
        stackId,
      });
      tracker.recordRemoval('sandbox_stack');
    });
  }

  if (cur?.policyApplied || cur?.bucketCreatedByInstall) {
    // Only the folders the reports write: the customer's own objects under the prefix (or in a bucket the install
    // created) stay, and a bucket that still holds some is not deleted but reported as left over.
    const folders = costReportFolders({
      prefix: cur.prefix,
      kind: cur.kind,
      reportName: cur.reportName,
      exportName: cur.dataExport?.name,
    });
    const where = folders.map((folder) => `s3://${cur.bucket}/${folder}`).join(' and ');
    await attempt('s3 objects', where, () =>
      teardown(`Delete the reports' objects in ${where}`).emptyCurPrefix({ access, bucket: cur.bucket, folders }),
    );
    const deleteBucket = cur.bucketCreatedByInstall && (input.cur?.bucketOnDeprovision ?? 'delete') === 'delete';
    if (deleteBucket) {
      await attempt('s3 bucket', cur.bucket, async () => {
        await teardown(`Delete the CUR bucket ${cur.bucket}`).deleteCurBucket({ access, bucket: cur.bucket });
        tracker.recordRemoval('cur_bucket');
      });
    } else if (cur.policyApplied) {
      await attempt('s3 bucket policy statements', cur.bucket, async () => {
        await teardown(`Remove the install's statements from the ${cur.bucket} policy`).removeCurBucketPolicy({
          access,
          bucket: cur.bucket,
        });
        tracker.recordRemoval('cur_bucket_policy');
      });
    }
  }
  return leftovers;
}
