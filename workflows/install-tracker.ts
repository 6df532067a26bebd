import { patched, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { describeFailure, type FailureSummary } from './failures';
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
  type StepStatus,
} from './definitions';

const phaseDescriptions: Record<InstallPhase, string> = {
  awaiting_role: 'Waiting for the customer to create the access role and submit its ARN.',
  verifying_role: 'Assuming the role with the External ID and checking its permissions.',
  awaiting_approval: 'Waiting for someone to approve what will be created in the customer account.',
  provisioning_sandbox: 'Creating the sandbox stack in the customer account.',
  configuring_cur: 'Setting up the Cost and Usage Report bucket and definition.',
  handing_off: 'Waiting for the runner in the customer account to check in.',
  active: 'Active: the runner is in charge.',
  degraded: 'Degraded: the latest re-verification found a problem (role.drift in the status).',
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
      // Decided once, first thing: an install that started before scoped prefixes replays without the marker and
      // keeps the names its role was granted (`install-<id>-`); see domain/sandbox-prefix.ts.
      sandboxNaming: patched('scoped-sandbox-prefix') ? 'scoped' : 'legacy',
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
    this.publishDetails();
  }

  /** The Temporal UI's "current details": the phase in words, and for a failed or degraded install what to do. */
  private publishDetails(): void {
    const { phase, lastError, role } = this.status;
    const lines = [`**${phase}**: ${phaseDescriptions[phase]}`];
    const problem = phase === 'failed' ? lastError : phase === 'degraded' ? role?.drift : undefined;
    if (problem) lines.push(`${problem.code}: ${problem.message}`, `To fix: ${problem.fix ?? ''}`);
    if ((phase === 'active' || phase === 'degraded') && role?.lastCheckedAt) {
      lines.push(`Last checked ${role.lastCheckedAt}; last passed ${role.lastVerifiedAt ?? 'never'}.`);
    }
    setCurrentDetails(lines.join('\n\n'));
  }

  /** A re-verification's outcome: a problem degrades the install, a pass restores it; the UI shows which. */
  recordHealthCheck(problem: Omit<InstallError, 'at'> | undefined): void {
    const role = this.status.role!;
    const checkedAt = new Date().toISOString();
    // A problem that persists keeps the time it was first seen: "failing since", not "failing at the last check".
    role.drift = problem && { ...problem, at: role.drift?.code === problem.code ? role.drift.at : checkedAt };
    role.lastCheckedAt = checkedAt;
    if (!problem) role.lastVerifiedAt = checkedAt;
    this.enter(problem ? 'degraded' : 'active');
    this.publishDetails();
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

  /** The step that failed last, to say where a failure happened. */
  lastFailedStep(): StepName | undefined {
    const failed = (Object.entries(this.status.steps) as Array<[StepName, StepStatus]>).filter(
      ([, step]) => step.state === 'failed',
    );
    failed.sort(([, a], [, b]) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? ''));
    return failed.at(-1)?.[0];
  }

  markStep(name: StepName, state: 'failed', detail?: string): void {
    this.status.steps[name] = { ...this.status.steps[name], state, detail, finishedAt: new Date().toISOString() };
  }

  recordError(failure: FailureSummary, step?: StepName): InstallError {
    const error: InstallError = { ...describeFailure(failure, step), at: new Date().toISOString() };
    this.status.lastError = error;
    return error;
  }
}
