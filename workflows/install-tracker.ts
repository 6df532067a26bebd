import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { describeFailure, type FailureSummary } from './failures';
import {
  AwsAccountIdAttribute,
  InstallIdAttribute,
  InstallPhaseAttribute,
  OrgIdAttribute,
  restingPhases,
  type InstallError,
  type InstallInput,
  type InstallPhase,
  type InstallResult,
  type InstallStatus,
  type Leftover,
  type OnboardingCallback,
  type RoleArnSubmission,
  type StepName,
  type StepStatus,
} from './definitions';
import {
  customerAccessRef,
  roleFingerprint,
  type CustomerAccess,
  type CustomerAccessRef,
} from '../domain/customer-access';
import { InstallEvents } from './install-events';
import { markCallbackUsed } from './onboarding-callback';
import { InstallPatches } from './patches';
import { oidcSubject } from '../domain/oidc-trust';
import type { WebhookDeliveryNews } from '../domain/webhook-events';

const phaseDescriptions: Record<InstallPhase, string> = {
  awaiting_role: 'Waiting for the customer to create the access role and submit its ARN.',
  verifying_role: 'Assuming the role with the External ID and checking its permissions.',
  awaiting_approval: 'Waiting for someone to approve what will be created in the customer account.',
  provisioning_sandbox: 'Creating the sandbox stack in the customer account.',
  configuring_cur: 'Setting up the Cost and Usage Report bucket and definition.',
  handing_off: 'Waiting for the runner in the customer account to check in.',
  active: 'Active: the runner is in charge.',
  awaiting_permission_upgrade:
    'Active on the permissions it has: the vendor added actions the role lacks (permissions.upgrade in the status).',
  degraded: 'Degraded: the latest re-verification found a problem (role.drift in the status).',
  deprovisioning: 'Removing everything the install created.',
  deprovisioned: 'Deprovisioned.',
  expired: 'Expired: nobody submitted the role or approved the plan in time.',
  rejected: 'Rejected: the plan was not approved; nothing was created.',
  failed: 'Failed.',
};

/**
 * The install's state and the only place that changes it: every phase module reads `status` and changes it through a
 * named transition here (enter, recordSandbox, recordRoleChecks, recordRemoval, …). The query answers a copy
 * (`view`), the workflow returns a small `result`, and a continue-as-new carries `carryOver`.
 */
export class InstallTracker {
  readonly status: InstallStatus;
  /** Asked first, before any other command of the run. */
  readonly patches = new InstallPatches();
  /** What the install tells the vendor's webhooks: emitted here, as the state changes, and nowhere else. */
  readonly events: InstallEvents;

  constructor(private readonly input: InstallInput) {
    this.status = input.carriedOver ?? {
      installId: input.installId,
      orgId: input.orgId,
      awsAccountId: input.awsAccountId,
      region: input.region,
      phase: 'awaiting_role',
      phaseSince: new Date().toISOString(),
      // Decided once, first thing: an install that started before scoped prefixes replays without the marker and
      // keeps the names its role was granted (`install-<id>-`); see domain/sandbox-prefix.ts.
      sandboxNaming: this.patches.has('scoped-sandbox-prefix') ? 'scoped' : 'legacy',
      steps: {},
      ...(input.trust === 'oidc'
        ? { trust: 'oidc' as const, oidcSubject: oidcSubject(input.orgId, input.installId) }
        : {}),
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
      ...(input.permissionsBoundary ? { permissionsBoundary: input.permissionsBoundary } : {}),
    };
    this.events = new InstallEvents(this.status);
    if (this.patches.compactHistory) {
      this.publishAttributes([
        { key: InstallIdAttribute, value: input.installId },
        { key: OrgIdAttribute, value: input.orgId },
        { key: AwsAccountIdAttribute, value: input.awsAccountId },
        // A run carried over while active or degraded rests there; a new one waits for its role.
        { key: InstallPhaseAttribute, value: this.status.phase },
      ]);
      this.publishDetails();
    } else {
      upsertSearchAttributes([
        { key: InstallIdAttribute, value: input.installId },
        { key: OrgIdAttribute, value: input.orgId },
        { key: AwsAccountIdAttribute, value: input.awsAccountId },
      ]);
      this.publishPhase();
    }
  }

  get phase(): InstallPhase {
    return this.status.phase;
  }

  enter(phase: InstallPhase): void {
    if (this.status.phase === phase) return;
    const previousPhase = this.status.phase;
    this.status.phase = phase;
    this.status.phaseSince = new Date().toISOString();
    this.publishPhase();
    this.events.emit('install.phase.changed', { previousPhase });
  }

  /**
   * InstallPhase is written where the install rests (waits on someone outside, or has ended): the phases operators
   * list installs by. The busy phases between two rests last seconds to minutes and are not written, which keeps a
   * history event and a visibility write off each of them; the status query has the live phase. Runs from before
   * wrote every phase, and replay as they did.
   */
  private publishPhase(): void {
    const { phase } = this.status;
    if (!this.patches.compactHistory) upsertSearchAttributes([{ key: InstallPhaseAttribute, value: phase }]);
    else if (restingPhases.includes(phase)) this.publishAttributes([{ key: InstallPhaseAttribute, value: phase }]);
    this.publishDetails();
  }

  /** One upsert of what differs from the attributes the run already has (set at start, or carried over): often none. */
  private publishAttributes(pairs: SearchAttributeUpdatePair[]): void {
    const current = workflowInfo().typedSearchAttributes;
    const changed = pairs.filter(({ key, value }) => current.get(key) !== value);
    if (changed.length > 0) upsertSearchAttributes(changed);
  }

  /** The Temporal UI's "current details": the phase in words, and for a failed or degraded install what to do. */
  private publishDetails(): void {
    const { phase, lastError, role } = this.status;
    const lines = [`**${phase}**: ${phaseDescriptions[phase]}`];
    const problem = phase === 'failed' ? lastError : phase === 'degraded' ? role?.drift : undefined;
    if (problem) lines.push(`${problem.code}: ${problem.message}`, `To fix: ${problem.fix ?? ''}`);
    const upgrade = this.status.permissions?.upgrade;
    if (phase === 'awaiting_permission_upgrade' && upgrade) {
      lines.push(`Version ${upgrade.toVersion} adds, and the role lacks: ${upgrade.missing.join(', ')}.`);
    }
    if ((phase === 'active' || phase === 'degraded') && role?.lastCheckedAt) {
      lines.push(`Last checked ${role.lastCheckedAt}; last passed ${role.lastVerifiedAt ?? 'never'}.`);
    }
    setCurrentDetails(lines.join('\n\n'));
  }

  /** A re-verification's outcome: a problem degrades the install, a pass restores it; the UI shows which. */
  recordHealthCheck(problem: Omit<InstallError, 'at'> | undefined): void {
    const role = this.status.role!;
    const checkedAt = new Date().toISOString();
    const earlier = role.drift;
    // A problem that persists keeps the time it was first seen: "failing since", not "failing at the last check".
    role.drift = problem && { ...problem, at: role.drift?.code === problem.code ? role.drift.at : checkedAt };
    role.lastCheckedAt = checkedAt;
    if (!problem) role.lastVerifiedAt = checkedAt;
    if (role.drift && role.drift.code !== earlier?.code)
      this.events.emit('install.drift.detected', { drift: role.drift });
    if (!role.drift && earlier) this.events.emit('install.drift.resolved', { resolved: { code: earlier.code } });
    this.enter(problem ? 'degraded' : this.status.permissions?.upgrade ? 'awaiting_permission_upgrade' : 'active');
    this.publishDetails();
  }

  /** The permission set's version the role was verified against (onboarding's preflight, or an upgrade). */
  recordPermissionVersion(version: number): void {
    this.status.permissions = { ...this.status.permissions, version };
  }

  /**
   * A newer version adds actions the role lacks: the install keeps working on what it has and asks for the rest.
   * A request already open keeps when it was asked and counts this check.
   */
  askPermissionUpgrade(found: {
    fromVersion: number;
    toVersion: number;
    addedActions: string[];
    missing: string[];
    conditional: string[];
    polls: number;
  }): void {
    const permissions = (this.status.permissions ??= { version: found.fromVersion });
    const now = new Date().toISOString();
    const { polls, ...asked } = found;
    const earlier = permissions.upgrade?.toVersion === found.toVersion ? permissions.upgrade : undefined;
    permissions.upgrade = {
      ...asked,
      problem: {
        ...describeFailure({
          code: 'permission_upgrade_required',
          message: `Version ${found.toVersion} of the vendor's permissions adds ${found.missing.length} action(s) the role lacks: ${found.missing.join(', ')}.`,
        }),
        at: earlier?.problem?.at ?? now,
      },
      askedAt: earlier?.askedAt ?? now,
      lastCheckedAt: now,
      checks: (earlier?.checks ?? 0) + 1,
      pollsLeft: earlier?.pollsLeft ?? polls,
    };
  }

  /** A quick re-check of an open upgrade request used one of its polls. */
  usePermissionPoll(): void {
    const upgrade = this.status.permissions?.upgrade;
    if (upgrade && upgrade.pollsLeft > 0) upgrade.pollsLeft -= 1;
  }

  /** The role grants what `toVersion` adds: the install is verified against it from now on. */
  grantPermissionUpgrade(toVersion: number): void {
    const permissions = (this.status.permissions ??= { version: 1 });
    const upgrade = permissions.upgrade;
    const record = {
      fromVersion: permissions.version,
      toVersion,
      ...(upgrade ? { askedAt: upgrade.askedAt } : {}),
      grantedAt: new Date().toISOString(),
    };
    this.status.permissions = { version: toVersion, upgrades: [...(permissions.upgrades ?? []), record].slice(-5) };
  }

  /** The vendor went back to a version the install has: nothing is asked any more. */
  dropPermissionUpgrade(): void {
    if (this.status.permissions?.upgrade) this.status.permissions.upgrade = undefined;
  }

  /** After a check of the permissions alone: the phase they call for, unless a re-verification found drift. */
  settlePermissionPhase(): void {
    if (this.status.phase === 'degraded') return;
    this.enter(this.status.permissions?.upgrade ? 'awaiting_permission_upgrade' : 'active');
    this.publishDetails();
  }

  /** What the status query answers: a copy, so nothing outside the workflow holds a reference into its state. */
  view(): InstallStatus {
    return JSON.parse(JSON.stringify(this.status)) as InstallStatus;
  }

  /** What the workflow returns (and a failure carries): the ending, not the whole status, which the query serves. */
  result(): InstallResult {
    const { installId, phase, phaseSince, lastError, deprovision } = this.status;
    return {
      installId,
      phase,
      endedAt: phaseSince,
      leftovers: deprovision?.leftovers ?? [],
      ...(phase === 'failed' && lastError ? { error: lastError } : {}),
    };
  }

  /**
   * What the next run needs after a continue-as-new: everything that names a resource, a check or a decision, not
   * the onboarding's step timings or the approval plan's text, which only ever described the first run.
   */
  carryOver(): InstallStatus {
    const view = this.view();
    const { approval } = view;
    return { ...view, steps: {}, ...(approval ? { approval: { ...approval, plan: [], changeSet: undefined } } : {}) };
  }

  /** The customer-account access the phases use, once a role has been verified. */
  access(): CustomerAccess | undefined {
    const { role, onboarding } = this.status;
    return role?.verifiedAt && onboarding
      ? {
          installId: this.input.installId,
          roleArn: role.arn,
          externalId: onboarding.externalId,
          region: this.input.region,
          ...this.oidcAccess(),
          ...(onboarding.externalIdGeneration ? { externalIdGeneration: onboarding.externalIdGeneration } : {}),
        }
      : undefined;
  }

  /** What the install sends its activities once the role is verified: which role, nothing secret. */
  accessRef(): CustomerAccessRef | undefined {
    const access = this.access();
    return access && customerAccessRef(access);
  }

  /**
   * The whole access behind a reference, for a worker without a session: the role being verified or verified, if
   * the reference is to it; nothing for any other role.
   */
  accessFor(ref: CustomerAccessRef): CustomerAccess | undefined {
    const { role, onboarding } = this.status;
    if (!role || !onboarding || ref.installId !== this.input.installId || roleFingerprint(role.arn) !== ref.role) {
      return undefined;
    }
    // Only the External ID in use: a reference made before a rotation's switch names one the install has left.
    if ((ref.externalIdGeneration ?? 0) !== (onboarding.externalIdGeneration ?? 0)) return undefined;
    return {
      installId: this.input.installId,
      roleArn: role.arn,
      externalId: onboarding.externalId,
      region: this.input.region,
      ...this.oidcAccess(),
      ...(onboarding.externalIdGeneration ? { externalIdGeneration: onboarding.externalIdGeneration } : {}),
    };
  }

  /** OIDC mode: the subject the worker's tokens carry; nothing for External ID installs. */
  private oidcAccess(): Pick<CustomerAccess, 'oidc'> {
    return this.status.oidcSubject ? { oidc: { subject: this.status.oidcSubject } } : {};
  }

  recordOnboarding(onboarding: NonNullable<InstallStatus['onboarding']>): void {
    this.status.onboarding = onboarding;
  }

  /** A new one-time callback replaces the last (whose token stops working). */
  openCallback(callback: OnboardingCallback): OnboardingCallback {
    this.status.onboarding!.callback = callback;
    return callback;
  }

  expireCallback(callback: OnboardingCallback): void {
    callback.state = 'expired';
  }

  /** Counts a role ARN taken for verification and returns its number; a callback's submission uses the callback. */
  acceptRoleSubmission(submission: RoleArnSubmission): number {
    if (submission.callback) markCallbackUsed(this.status.onboarding!.callback!, submission.callback.stackId);
    this.status.roleSubmissions += 1;
    return this.status.roleSubmissions;
  }

  recordReminder(): void {
    this.status.remindersSent += 1;
  }

  recordRunnerCheckIn(runnerId: string, verifiedIdentity?: string): void {
    this.status.runner = {
      ...this.status.runner!,
      runnerId,
      ...(verifiedIdentity ? { verifiedIdentity } : {}),
      checkedInAt: new Date().toISOString(),
    };
  }

  startDeprovision(request: { at: string; by?: string }): void {
    this.status.deprovision = { requestedAt: request.at, requestedBy: request.by, leftovers: [] };
  }

  finishDeprovision(leftovers: Leftover[]): void {
    this.status.deprovision = { ...this.status.deprovision!, leftovers, finishedAt: new Date().toISOString() };
    this.events.emit('install.deprovisioned', { leftovers });
  }

  /** What compensating a failed or refused install removed, and what it could not. */
  recordCompensation(startedAt: string, leftovers: Leftover[]): void {
    this.status.deprovision = { requestedAt: startedAt, finishedAt: new Date().toISOString(), leftovers };
  }

  /** A submitted role's record starts afresh: what an earlier ARN proved says nothing of this one. */
  beginRoleVerification(arn: string): void {
    this.status.role = { arn };
  }

  /** What a check of the role found (the probes, the trust policy, the preflight), kept on its record. */
  recordRoleChecks(found: Partial<Omit<NonNullable<InstallStatus['role']>, 'arn'>>): void {
    Object.assign(this.status.role!, found);
  }

  markRoleVerified(): void {
    const verifiedAt = new Date().toISOString();
    this.recordRoleChecks({ verifiedAt, lastVerifiedAt: verifiedAt });
  }

  /** The sandbox stack's status as CloudFormation last reported it. */
  recordSandboxStatus(stackStatus: string): void {
    this.status.sandbox!.stackStatus = stackStatus;
  }

  /** What the install knows of its sandbox stack; changed in place, so a step holding it sees the latest. */
  recordSandbox(found: NonNullable<InstallStatus['sandbox']>): NonNullable<InstallStatus['sandbox']> {
    this.status.sandbox = Object.assign(this.status.sandbox ?? found, found);
    return this.status.sandbox;
  }

  /** What the install knows of its cost-report resources; changed in place, like the sandbox. */
  recordCostReport(found: Partial<NonNullable<InstallStatus['cur']>>): NonNullable<InstallStatus['cur']> {
    this.status.cur = Object.assign(this.status.cur ?? ({} as NonNullable<InstallStatus['cur']>), found);
    return this.status.cur;
  }

  recordDataExport(found: NonNullable<NonNullable<InstallStatus['cur']>['dataExport']>): void {
    const cur = this.status.cur!;
    cur.dataExport = Object.assign(cur.dataExport ?? found, found);
  }

  startFirstReportWatch(watchWorkflowId: string, since: string): void {
    this.status.cur!.firstReport = { state: 'waiting', watchWorkflowId, since };
  }

  recordRunnerRegistration(registration: NonNullable<InstallStatus['runner']>): void {
    this.status.runner = registration;
  }

  requestApproval(request: NonNullable<InstallStatus['approval']>): void {
    this.status.approval = request;
  }

  recordApprovalDecision(decision: { approve: boolean; by: string; onBehalfOf?: string; reason?: string }): void {
    Object.assign(this.status.approval!, {
      decision: decision.approve ? 'approved' : 'rejected',
      decidedBy: decision.by,
      onBehalfOf: decision.onBehalfOf,
      decidedAt: new Date().toISOString(),
      reason: decision.reason,
    });
  }

  /** The runner's registration stops working: teardown's first act, even before the role is known. */
  revokeRunner(): void {
    const runner = this.status.runner;
    if (runner && !runner.revokedAt) runner.revokedAt = new Date().toISOString();
  }

  /** Teardown removed one thing the install created; the status stops listing it as present. */
  recordRemoval(
    what: 'first_report_watch' | 'cost_report' | 'data_export' | 'sandbox_stack' | 'cur_bucket' | 'cur_bucket_policy',
  ): void {
    const { cur, sandbox } = this.status;
    switch (what) {
      case 'first_report_watch':
        if (cur?.firstReport) cur.firstReport.state = 'stopped';
        return;
      case 'cost_report':
        if (cur) cur.reportDefinition = undefined;
        return;
      case 'data_export':
        if (cur?.dataExport) cur.dataExport.result = undefined;
        return;
      case 'sandbox_stack':
        if (sandbox) sandbox.stackStatus = 'DELETE_COMPLETE';
        return;
      case 'cur_bucket':
        if (cur) Object.assign(cur, { bucketCreatedByInstall: false, policyApplied: false });
        return;
      case 'cur_bucket_policy':
        if (cur) cur.policyApplied = false;
        return;
    }
  }

  /** What the first-report watch found: the first delivery, or that it is later than AWS promises. */
  recordFirstReport(news: { delivered: { at: string; manifestKey: string } } | { overdue: InstallError }): void {
    const cur = this.status.cur!;
    const watch = cur.firstReport!;
    if ('delivered' in news) {
      Object.assign(watch, { state: 'delivered', manifestKey: news.delivered.manifestKey, problem: undefined });
      cur.firstDeliveredAt = news.delivered.at;
      this.events.emit('install.first_report.delivered', {
        firstReport: { deliveredAt: news.delivered.at, manifestKey: news.delivered.manifestKey, bucket: cur.bucket },
      });
    } else {
      Object.assign(watch, { state: 'overdue', problem: news.overdue });
    }
  }

  /** What the delivery workflow says of an endpoint: listed while it fails or once it dropped events, else not. */
  recordWebhookDelivery(news: WebhookDeliveryNews): void {
    const others = (this.status.webhooks ?? []).filter(({ endpointId }) => endpointId !== news.endpointId);
    const listed = news.failingSince !== undefined || news.dropped > 0 ? [{ ...news }] : [];
    const webhooks = [...others, ...listed].sort((a, b) => a.endpointId.localeCompare(b.endpointId));
    this.status.webhooks = webhooks.length > 0 ? webhooks : undefined;
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
