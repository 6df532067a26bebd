import { condition, patched, workflowInfo } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { CustomerAccess } from '../domain/customer-access';
import { parseDuration } from '../domain/durations';
import { costReportSpecFor, dataExportDefinitionFor } from '../domain/install-requests';
import { nextSlotAfter } from '../domain/install-slots';
import { healthCheck } from './activity-profiles';
import type { InstallError, InstallInput } from './definitions';
import { describeFailure, summarizeFailure } from './failures';
import type { InstallTracker } from './install-tracker';
import { countVerificationFailure } from './install-metrics';
import { checkPermissionSet } from './permission-upgrade';
import { checkTrustPolicy } from './role-verification';
import { checkOidcTrust } from './oidc-checks';
import { anchorsPatch } from './patches';
import {
  advanceExternalIdRotation,
  nextRotationPollAt,
  rotatingExternalId,
  rotationUnderWay,
} from './external-id-rotation';

type Drift = Omit<InstallError, 'at'>;

function drift(code: string, message: string): Drift {
  return describeFailure({ code, message });
}

/**
 * One re-verification: what onboarding proved (AssumeRole with the External ID and the caller identity; refused
 * without it or with a wrong one; a trust policy admitting only the vendor with this External ID), plus read-only probes that need the role's permissions (the sandbox stack) and that the Cost and
 * Usage Report still says what the install set. Returns the first problem found.
 */
export async function findDrift(
  tracker: InstallTracker,
  input: InstallInput,
  access: CustomerAccess,
  options: { permissions?: boolean; only?: 'permissions' } = {},
): Promise<Drift | undefined> {
  const { status } = tracker;
  try {
    // An open upgrade request's quick re-check reads the role's policies and nothing else.
    if (options.only === 'permissions') return await checkPermissionSet(tracker, input, access);
    await healthCheck('Re-verify: AssumeRole with the External ID, then GetCallerIdentity').verifyRoleAccess({
      access,
    });
    if (access.oidc && patched(anchorsPatch)) {
      // OIDC mode: the same four tokens must still be refused, and the trust policy still pin aud and sub.
      const widened = await checkOidcTrust(tracker, access, healthCheck);
      if (widened) return drift(widened.code, widened.message);
    } else {
      const probe = await healthCheck(
        'Re-verify: AssumeRole without the External ID must be refused',
      ).probeRoleWithoutExternalId({
        access,
      });
      tracker.recordRoleChecks({ withoutExternalId: probe.withoutExternalId });
      if (probe.withoutExternalId === 'allowed') {
        return drift('external_id_not_enforced', 'The role no longer requires the External ID.');
      }
    }
    if (!access.oidc && tracker.patches.has('reverify-trust-policy')) {
      const widened = await checkTrustPolicy(tracker, access, healthCheck, rotatingExternalId(tracker));
      if (widened) return drift(widened.code, widened.message);
    }
    if (status.sandbox?.stackId) {
      const { stackStatus } = await healthCheck('Re-verify: read the sandbox stack').inspectSandboxStack({
        access,
        stackId: status.sandbox.stackId,
      });
      tracker.recordSandboxStatus(stackStatus);
      if (!/_COMPLETE$/.test(stackStatus) || /ROLLBACK|DELETE/.test(stackStatus)) {
        return drift('sandbox_stack_changed', `The sandbox stack ${status.sandbox.stackName} is ${stackStatus}.`);
      }
    }
    if (status.cur?.reportDefinition) {
      const report = await healthCheck('Re-verify: the cost report definition').inspectCostReport({
        access,
        spec: costReportSpecFor(input, status.cur),
      });
      if (!report.present) {
        return drift('cost_report_missing', `The cost report ${status.cur.reportName} no longer exists.`);
      }
      if (report.differences.length > 0) {
        return drift(
          'cost_report_changed',
          `The cost report ${status.cur.reportName} was changed: ${report.differences.join(', ')}.`,
        );
      }
    }
    const dataExport = status.cur?.dataExport;
    if (dataExport?.exportArn && dataExport.result) {
      const found = await healthCheck('Re-verify: the CUR 2.0 data export').inspectDataExport({
        access,
        exportArn: dataExport.exportArn,
        definition: dataExportDefinitionFor(input, status.cur!),
      });
      if (!found.present) return drift('data_export_missing', `The data export ${dataExport.name} no longer exists.`);
      if (found.differences.length > 0) {
        return drift(
          'data_export_changed',
          `The data export ${dataExport.name} was changed: ${found.differences.join(', ')}.`,
        );
      }
    }
    // Runs with the permission set's versions: the role at its install's version, then what newer versions add.
    if (options.permissions) return await checkPermissionSet(tracker, input, access);
    return undefined;
  } catch (error) {
    return describeFailure(summarizeFailure(error));
  }
}

/** Whether an active install's run should continue as new: the server suggests it, or history reached its limit. */
export function installHistoryIsLong(input: InstallInput): boolean {
  return workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= (input.historyEventLimit ?? 10_000);
}

/**
 * While active, the workflow waits for deprovisioning and, if asked to, re-checks the install on a schedule (the
 * customer may edit or delete the role, the stack or the report), moving between active and degraded with the
 * result. Returns when deprovisioning is requested or history is long enough that the workflow should continue as new.
 *
 * Checks run on the install's own slots (domain/install-slots.ts), once per `reverifyEvery`, so installs onboarded
 * together do not re-verify together. Histories recorded before slots replay with the plain period they waited.
 */
export async function reverifyWhileActive(
  tracker: InstallTracker,
  input: InstallInput,
  access: CustomerAccess,
  deprovisionRequested: () => boolean,
): Promise<void> {
  const historyIsLong = () => installHistoryIsLong(input);
  let lastSlot = 0;
  while (!deprovisionRequested() && !historyIsLong()) {
    if (input.reverifyEvery === undefined) {
      if ((await waitServingRotation(tracker, deprovisionRequested, historyIsLong, undefined)) !== 'due') return;
      continue;
    }
    let wait: Duration = input.reverifyEvery;
    // A period written in a form older than the API's grammar (an install that predates bounds) keeps its plain timer.
    const periodMs = parseDuration(input.reverifyEvery);
    if (periodMs !== undefined && patched('reverify-on-install-slots')) {
      // Never the same slot twice, even if the clock read after a check were behind the slot that started it.
      lastSlot = nextSlotAfter(input.installId, 'reverify', periodMs, Math.max(Date.now(), lastSlot));
      wait = lastSlot - Date.now();
    }
    if ((await waitServingRotation(tracker, deprovisionRequested, historyIsLong, wait)) !== 'due') return;
    // The access of now: an External ID rotation may have switched the install to its new ID since the last check.
    const problem = await findDrift(tracker, input, tracker.access() ?? access);
    if (problem) countVerificationFailure(problem.code, 'reverification');
    tracker.recordHealthCheck(problem);
  }
}

/**
 * Waits `wait` (forever when undefined) as the loop always did, unless deprovisioning is asked for first; meanwhile it
 * polls an External ID rotation (workflows/external-id-rotation.ts), if one is under way or starts. Without a rotation
 * the wait is the one condition and timer of before: a history recorded then replays unchanged.
 */
async function waitServingRotation(
  tracker: InstallTracker,
  deprovisionRequested: () => boolean,
  historyIsLong: () => boolean,
  wait: Duration | undefined,
): Promise<'due' | 'deprovision' | 'long'> {
  const startedAt = Date.now();
  const interrupted = () => deprovisionRequested() || rotationUnderWay(tracker);
  if (!rotationUnderWay(tracker)) {
    const woke =
      wait === undefined ? await condition(interrupted).then(() => true) : await condition(interrupted, wait);
    if (!woke) return 'due';
  }
  // A period the grammar does not parse (an install from before bounds) ends with the rotation's first poll.
  const until = wait === undefined ? Infinity : startedAt + (parseDuration(wait) ?? 0);
  for (;;) {
    if (deprovisionRequested()) return 'deprovision';
    const now = Date.now();
    if (now >= until) {
      // A customer who went straight to the new ID alone would fail a check with the old one: try the new one first.
      if (tracker.status.externalIdRotation?.step === 'awaiting_trust_update') {
        await advanceExternalIdRotation(tracker, tracker.access()!);
      }
      return 'due';
    }
    if (rotationUnderWay(tracker)) {
      // Continuing as new carries the rotation in the status; the next run polls on.
      if (historyIsLong()) return 'long';
      const pollAt = nextRotationPollAt(tracker);
      if (now >= pollAt) await advanceExternalIdRotation(tracker, tracker.access()!);
      else await condition(deprovisionRequested, Math.min(until, pollAt) - now);
    } else if (until === Infinity) {
      await condition(interrupted);
    } else {
      await condition(interrupted, until - now);
    }
  }
}
