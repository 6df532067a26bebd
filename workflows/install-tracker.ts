import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { fixFor } from '../domain/error-catalog';
import type { FailureSummary } from './failures';
import {
  AwsAccountIdAttribute,
  InstallIdAttribute,
  InstallPhaseAttribute,
  OrgIdAttribute,
  type InstallError,
  type InstallInput,
  type InstallPhase,
  type InstallStatus,
  type StepName,
} from './definitions';

const phaseDescriptions: Record<InstallPhase, string> = {
  awaiting_role: 'Waiting for the customer to create the access role and submit its ARN.',
  verifying_role: 'Assuming the role with the External ID and checking its permissions.',
  awaiting_approval: 'Waiting for someone to approve what will be created in the customer account.',
  provisioning_sandbox: 'Creating the sandbox stack in the customer account.',
  configuring_cur: 'Setting up the Cost and Usage Report bucket and definition.',
  handing_off: 'Waiting for the runner in the customer account to check in.',
  active: 'Active: the runner is in charge.',
  degraded: 'Degraded: the latest re-verification of the role failed; see role.drift for the reason and the fix.',
  deprovisioning: 'Removing everything the install created.',
  deprovisioned: 'Deprovisioned.',
  expired: 'Expired: nobody submitted the role or approved the plan in time.',
  rejected: 'Rejected: the plan was not approved; nothing was created.',
  failed: 'Failed.',
};

/** The install's status, the one object the query returns; every change to it goes through here. */
export class InstallTracker {
  readonly status: InstallStatus;

  constructor(input: InstallInput) {
    this.status = input.carriedOver ?? {
      installId: input.installId,
      orgId: input.orgId,
      awsAccountId: input.awsAccountId,
      region: input.region,
      phase: 'awaiting_role',
      phaseSince: new Date().toISOString(),
      steps: {},
      roleSubmissions: 0,
      remindersSent: 0,
      ...(input.cur
        ? {
            costReportSettings: {
              bucketName: input.cur.bucketName,
              prefix: input.cur.prefix,
              reportName: input.cur.reportName,
              kind: input.cur.kind,
              exportName: input.cur.exportName,
            },
          }
        : {}),
    };
    upsertSearchAttributes([
      { key: InstallIdAttribute, value: input.installId },
      { key: OrgIdAttribute, value: input.orgId },
      { key: AwsAccountIdAttribute, value: input.awsAccountId },
    ]);
    this.publishPhase();
  }

  get phase(): InstallPhase {
    return this.status.phase;
  }

  enter(phase: InstallPhase): void {
    if (this.status.phase === phase) return;
    this.status.phase = phase;
    this.status.phaseSince = new Date().toISOString();
    this.publishPhase();
  }

  private publishPhase(): void {
    upsertSearchAttributes([{ key: InstallPhaseAttribute, value: this.status.phase }]);
    const error = this.status.phase === 'failed' && this.status.lastError ? ` ${this.status.lastError.message}` : '';
    setCurrentDetails(`**${this.status.phase}**: ${phaseDescriptions[this.status.phase]}${error}`);
  }

  /** Runs one step, recording when it started and how it ended, so the status shows where time goes. */
  async step<T>(name: StepName, run: () => Promise<T>): Promise<T> {
    const step = { state: 'running' as const, startedAt: new Date().toISOString() };
    this.status.steps[name] = step;
    try {
      const result = await run();
      this.status.steps[name] = { ...step, state: 'done', finishedAt: new Date().toISOString() };
      return result;
    } catch (error) {
      this.status.steps[name] = { ...step, state: 'failed', finishedAt: new Date().toISOString() };
      throw error;
    }
  }

  markStep(name: StepName, state: 'compensated' | 'skipped' | 'failed', detail?: string): void {
    this.status.steps[name] = { ...this.status.steps[name], state, detail, finishedAt: new Date().toISOString() };
  }

  recordError(failure: FailureSummary, step?: StepName): InstallError {
    const error: InstallError = { ...failure, fix: fixFor(failure.code), step, at: new Date().toISOString() };
    this.status.lastError = error;
    return error;
  }
}
