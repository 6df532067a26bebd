import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { InstallActivities } from '../activities';
import { checkRoleArnForInstall, partitionOfRegion } from '../domain/arn';
import {
  customerAccessRef,
  roleFingerprint,
  type CustomerAccess,
  type CustomerAccessRef,
} from '../domain/customer-access';
import { explainError } from '../domain/error-catalog';
import { durationMs, parseDuration } from '../domain/durations';
import {
  isValidOrganizationInstallId,
  isValidOrganizationalUnitId,
  managementRoleName,
  memberInstallId,
  memberRoleArn,
  memberRoleName,
  memberStackSetName,
  organizationInstallBounds,
} from '../domain/organization-install';
import { quickAwsCall } from './activity-profiles';
import {
  customerAccessQuery,
  deprovisionSignal,
  getOrganizationStatusQuery,
  requestOrganizationDeprovisionUpdate,
  resyncOrganizationUpdate,
  submitManagementRoleArnUpdate,
  waitForOrganizationOnboardingUpdate,
  type DeprovisionRequest,
  type InstallInput,
  type ManagementRoleOutcome,
  type MemberAccountRow,
  type OrganizationInstallError,
  type OrganizationInstallInput,
  type OrganizationInstallPhase,
  type OrganizationInstallResult,
  type OrganizationInstallStatus,
} from './definitions';
import { markCallbackUsed, newCallback, rejectCallbackSubmission } from './onboarding-callback';
import { summarizeFailure } from './failures';
import type { installWorkflow } from './install';

const bounds = organizationInstallBounds;
const failingPhases = new Set(['failed', 'expired', 'rejected', 'degraded', 'missing']);
const endedPhases = new Set<string>(['deprovisioned', 'expired', 'rejected', 'failed', 'missing']);
// Continue as new well before Temporal's limits: each poll adds about ten events.
const defaultHistoryEventLimit = 5_000;

function activities(summary: string, options: ActivityOptions = quickAwsCall) {
  return proxyActivities<InstallActivities>({ ...options, summary });
}

const stackSetWait: ActivityOptions = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumAttempts: 5 },
};

/**
 * The life of one organization install (workflow id = its id): the customer creates the management role, the vendor
 * verifies it and runs a service-managed StackSet that puts the member install role in every account of the chosen
 * OUs, then keeps one install (installWorkflow, abandoned by this run so continue-as-new leaves it running) per
 * member account, adding and deprovisioning them as accounts join and leave. One member's failure is its own.
 */
export async function organizationInstallWorkflow(input: OrganizationInstallInput): Promise<OrganizationInstallResult> {
  const settings = readSettings(input);
  const status: OrganizationInstallStatus =
    input.carriedOver ?? initialStatus(input, settings.failureTolerancePercentage);
  let submission: { roleArn: string; answer?: ManagementRoleOutcome } | undefined;
  let deprovision: DeprovisionRequest | undefined = status.deprovision ? {} : undefined;
  let resyncAsked = false;

  const enter = (phase: OrganizationInstallPhase) => {
    if (status.phase !== phase) Object.assign(status, { phase, phaseSince: new Date().toISOString() });
  };
  const fail = (code: string, message: string): OrganizationInstallError => {
    const error = { ...explainError({ code, message }), message, at: new Date().toISOString() };
    status.lastError = error;
    return error;
  };

  setHandler(getOrganizationStatusQuery, () => status);
  // Activities after verification get a reference to the management role; a worker with no session asks here.
  setHandler(customerAccessQuery, (ref) =>
    status.managementRole &&
    ref.installId === input.organizationInstallId &&
    ref.role === roleFingerprint(status.managementRole.arn)
      ? managementAccess(input, status)
      : undefined,
  );
  setHandler(waitForOrganizationOnboardingUpdate, async () => {
    await condition(() => status.onboarding !== undefined || endedPhases.has(status.phase));
    return status;
  });
  setHandler(
    submitManagementRoleArnUpdate,
    async ({ roleArn, callback }) => {
      const pending = { roleArn: roleArn.trim() } as NonNullable<typeof submission>;
      submission = pending;
      if (callback) markCallbackUsed(status.onboarding!.callback!, callback.stackId);
      await condition(() => pending.answer !== undefined);
      return pending.answer!;
    },
    {
      validator: ({ roleArn, callback }) => {
        // Taken once, from the open callback, before the wait ends, from a stack in the management account.
        if (callback) rejectCallbackSubmission(status.onboarding?.callback, callback, input.managementAccountId);
        const check = checkRoleArnForInstall(String(roleArn ?? '').trim(), {
          accountId: input.managementAccountId,
          partition: partitionOfRegion(input.region),
        });
        if (!check.ok)
          throw ApplicationFailure.nonRetryable(check.problem.message, 'InvalidRoleArn', check.problem.code);
        if (status.phase !== 'awaiting_management_role' || submission) {
          throw ApplicationFailure.nonRetryable(
            `A management role ARN can be submitted only while awaiting it; the organization install is ${status.phase}.`,
            'WrongPhase',
            { phase: status.phase },
          );
        }
      },
    },
  );
  setHandler(
    resyncOrganizationUpdate,
    async () => {
      const before = status.resyncs;
      resyncAsked = true;
      await condition(() => status.resyncs > before || deprovision !== undefined);
      return status;
    },
    {
      validator: () => {
        if (status.phase !== 'active' && status.phase !== 'degraded') {
          throw ApplicationFailure.nonRetryable(
            `A re-sync runs only while the organization install is active; it is ${status.phase}.`,
            'WrongPhase',
            { phase: status.phase },
          );
        }
      },
    },
  );
  setHandler(requestOrganizationDeprovisionUpdate, (request) => {
    deprovision ??= request;
    status.deprovision ??= { requestedAt: new Date().toISOString(), requestedBy: request.requestedBy };
    return { phase: status.phase };
  });

  if (!input.carriedOver) {
    const refused = checkInput(input);
    if (refused) {
      enter('failed');
      return end(status, fail('invalid_organization_install', refused));
    }

    // 1: the External ID; the management role template and StackSet are rendered from it by the API.
    const prepared = await activities('Create the External ID').prepareOnboarding({
      installId: input.organizationInstallId,
    });
    status.onboarding = {
      externalId: prepared.externalId,
      vendorPrincipalArn: prepared.vendorPrincipalArn,
      managementRoleName: managementRoleName(input.organizationInstallId),
      memberRoleName: memberRoleName(input.organizationInstallId),
      stackSetName: memberStackSetName(input.organizationInstallId),
      // Zero-paste: the management role template reports the role's ARN itself (the API hands out its token).
      callback: newCallback(settings.roleSubmissionMs),
    };

    // 2: the customer creates the management role and pastes its ARN; verified with the External ID, refused without.
    const expiresAt = Date.now() + settings.roleSubmissionMs;
    for (;;) {
      enter('awaiting_management_role');
      const arrived = await condition(
        () => submission !== undefined || deprovision !== undefined,
        Math.max(expiresAt - Date.now(), 1),
      );
      if (deprovision) {
        if (submission) submission.answer = { verified: false, phase: 'deprovisioned' };
        enter('deprovisioned');
        status.deprovision!.finishedAt = new Date().toISOString();
        return end(status);
      }
      if (!arrived) {
        if (status.onboarding.callback?.state === 'open') status.onboarding.callback.state = 'expired';
        enter('expired');
        return end(status, fail('management_role_not_submitted', 'The management role ARN did not arrive in time.'));
      }
      enter('verifying_management_role');
      const access = managementAccess(input, status, submission!.roleArn);
      const check = await activities('Verify the management role').verifyManagementRole({
        access,
        managementAccountId: input.managementAccountId,
      });
      if (check.verified) {
        status.managementRole = {
          arn: access.roleArn,
          verifiedAt: new Date().toISOString(),
          assumedRoleArn: check.assumedRoleArn,
          organizationId: check.organizationId,
        };
        status.lastError = undefined;
        submission!.answer = { verified: true, phase: 'deploying_stack_set' };
        submission = undefined;
        break;
      }
      const error = fail(check.code, check.message);
      enter('awaiting_management_role');
      submission!.answer = { verified: false, phase: 'awaiting_management_role', error };
      submission = undefined;
    }

    // 3: the StackSet puts the member role in each account of the OUs, and in each account that joins them.
    enter('deploying_stack_set');
    try {
      const deployed = await activities(
        'Deploy the member role StackSet to the OUs',
        stackSetWait,
      ).deployMemberStackSet({
        access: managementRef(input, status),
        organizationInstallId: input.organizationInstallId,
        organizationalUnitIds: input.organizationalUnitIds,
        failureTolerancePercentage: settings.failureTolerancePercentage,
      });
      status.stackSet = { name: deployed.stackSetName, deployedAt: new Date().toISOString(), autoDeployment: true };
    } catch (error) {
      const summary = summarizeFailure(error);
      enter('failed');
      return end(status, fail(summary.code, summary.message));
    }
    status.nextResyncAt = new Date().toISOString();
  }

  // 4: one member install per account, re-synced on a schedule; degraded when too many fail.
  const startedEvents = workflowInfo().historyLength;
  while (!deprovision) {
    if (resyncAsked || Date.now() >= Date.parse(status.nextResyncAt ?? new Date(0).toISOString())) {
      resyncAsked = false;
      await resync(input, settings, status, fail);
    }
    await refreshMembers(status);
    judgeHealth(status, enter);
    const info = workflowInfo();
    if (
      !deprovision &&
      (info.continueAsNewSuggested || info.historyLength - startedEvents > settings.historyEventLimit)
    ) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof organizationInstallWorkflow>({ ...input, carriedOver: status });
    }
    const nextResyncMs = Date.parse(status.nextResyncAt!) - Date.now();
    await condition(
      () => deprovision !== undefined || resyncAsked,
      Math.max(Math.min(settings.memberPollMs, nextResyncMs), 1),
    );
  }

  // 5: every member install deprovisioned, then the StackSet's instances (the member roles) and the StackSet.
  enter('deprovisioning');
  for (const row of status.accounts) {
    if (row.membership === 'member') await leave(row, 'The organization install is being deprovisioned.');
  }
  while (status.accounts.some((row) => !endedPhases.has(row.phase))) {
    await condition(() => false, settings.memberPollMs);
    await refreshMembers(status);
  }
  status.accounts = [];
  status.summary = summarize([]);
  if (status.stackSet) {
    await activities('Delete the member role StackSet', stackSetWait).removeMemberStackSet({
      access: managementRef(input, status),
      organizationInstallId: input.organizationInstallId,
      organizationalUnitIds: input.organizationalUnitIds,
    });
    status.stackSet = undefined;
  }
  enter('deprovisioned');
  status.deprovision!.finishedAt = new Date().toISOString();
  return end(status);
}

interface Settings {
  failureTolerancePercentage: number;
  resyncMs: number;
  memberPollMs: number;
  roleSubmissionMs: number;
  maxAccounts: number;
  historyEventLimit: number;
}

function readSettings(input: OrganizationInstallInput): Settings {
  const within = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);
  const ms = (value: OrganizationInstallInput['resyncInterval'], fallback: string) =>
    (value === undefined ? undefined : parseDuration(value)) ?? durationMs(fallback);
  return {
    failureTolerancePercentage: input.failureTolerancePercentage ?? bounds.failureTolerancePercentage.default,
    resyncMs: within(
      ms(input.resyncInterval, bounds.resyncInterval.default),
      bounds.resyncInterval.minMs,
      bounds.resyncInterval.maxMs,
    ),
    memberPollMs: within(ms(input.memberPollInterval, '1 minute'), 1_000, 3_600_000),
    roleSubmissionMs: within(ms(input.roleSubmissionTimeout, '7 days'), 60_000, 30 * 24 * 3_600_000),
    maxAccounts: within(input.maxAccounts ?? bounds.maxAccounts, 1, bounds.maxAccounts),
    historyEventLimit: within(input.historyEventLimit ?? defaultHistoryEventLimit, 100, 50_000),
  };
}

/** What the API also checks; a workflow started another way is held to the same. */
function checkInput(input: OrganizationInstallInput): string | undefined {
  if (!isValidOrganizationInstallId(input.organizationInstallId)) {
    return `The organization install id must be an install id of at most 23 characters.`;
  }
  const ous = input.organizationalUnitIds;
  if (ous.length === 0 || ous.length > bounds.maxOrganizationalUnits || !ous.every(isValidOrganizationalUnitId)) {
    return `Give 1 to ${bounds.maxOrganizationalUnits} OU or root ids (ou-… or r-…).`;
  }
  const tolerance = input.failureTolerancePercentage ?? bounds.failureTolerancePercentage.default;
  if (!Number.isInteger(tolerance) || tolerance < 0 || tolerance > 100) {
    return 'failureTolerancePercentage must be an integer from 0 to 100.';
  }
  for (const [name, value] of Object.entries({
    resyncInterval: input.resyncInterval,
    memberPollInterval: input.memberPollInterval,
    roleSubmissionTimeout: input.roleSubmissionTimeout,
  })) {
    if (value !== undefined && parseDuration(value) === undefined) return `${name} is not a duration.`;
  }
  return undefined;
}

function initialStatus(input: OrganizationInstallInput, failureTolerancePercentage: number): OrganizationInstallStatus {
  return {
    organizationInstallId: input.organizationInstallId,
    orgId: input.orgId,
    managementAccountId: input.managementAccountId,
    region: input.region,
    organizationalUnitIds: [...input.organizationalUnitIds],
    phase: 'awaiting_management_role',
    phaseSince: new Date().toISOString(),
    failureTolerancePercentage,
    accounts: [],
    summary: summarize([]),
    resyncs: 0,
  };
}

function managementAccess(
  input: OrganizationInstallInput,
  status: OrganizationInstallStatus,
  roleArn?: string,
): CustomerAccess {
  return {
    installId: input.organizationInstallId,
    roleArn: roleArn ?? status.managementRole!.arn,
    externalId: status.onboarding!.externalId,
    region: input.region,
  };
}

/** The verified management role as activities get it: which role, and no External ID (customerAccessQuery). */
function managementRef(input: OrganizationInstallInput, status: OrganizationInstallStatus): CustomerAccessRef {
  return customerAccessRef(managementAccess(input, status));
}

/** Lists the OUs' accounts: an install for each one that joined, deprovisioning for each one that left. */
async function resync(
  input: OrganizationInstallInput,
  settings: Settings,
  status: OrganizationInstallStatus,
  fail: (code: string, message: string) => OrganizationInstallError,
): Promise<void> {
  try {
    const { accountIds } = await activities('List the accounts of the OUs').listOrganizationMembers({
      access: managementRef(input, status),
      organizationalUnitIds: input.organizationalUnitIds,
      maxAccounts: settings.maxAccounts,
    });
    const listed = new Set(accountIds);
    for (const row of status.accounts) {
      if (row.membership === 'member' && !listed.has(row.accountId)) {
        await leave(row, `Account ${row.accountId} left the organization install's OUs.`);
      }
    }
    const known = new Set(status.accounts.map((row) => row.accountId));
    for (const accountId of accountIds) {
      if (!known.has(accountId)) status.accounts.push(await join(input, status, accountId));
    }
    status.accounts.sort((a, b) => a.accountId.localeCompare(b.accountId));
  } catch (error) {
    // A failed listing keeps the members as they were; the next re-sync tries again.
    const summary = summarizeFailure(error);
    fail(summary.code, summary.message);
  }
  status.resyncs += 1;
  status.lastResyncAt = new Date().toISOString();
  status.nextResyncAt = new Date(Date.now() + settings.resyncMs).toISOString();
}

async function join(
  input: OrganizationInstallInput,
  status: OrganizationInstallStatus,
  accountId: string,
): Promise<MemberAccountRow> {
  const installId = memberInstallId(input.organizationInstallId, accountId);
  const memberInput: InstallInput = {
    ...input.memberSettings,
    installId,
    orgId: input.orgId,
    awsAccountId: accountId,
    region: input.region,
    memberOf: {
      organizationInstallId: input.organizationInstallId,
      roleArn: memberRoleArn(input.organizationInstallId, accountId, input.region),
      externalId: status.onboarding!.externalId,
    },
  };
  try {
    // Abandoned: the member install outlives this run's continue-as-new, and leaves only when deprovisioned.
    await startChild<typeof installWorkflow>('installWorkflow', {
      workflowId: installId,
      args: [memberInput],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return { accountId, installId, phase: 'starting', membership: 'member', joinedAt: new Date().toISOString() };
}

async function leave(row: MemberAccountRow, reason: string): Promise<void> {
  row.membership = 'leaving';
  try {
    await getExternalWorkflowHandle(row.installId).signal(deprovisionSignal, { reason });
  } catch {
    // The member install already ended: nothing left to deprovision.
  }
}

/** Reads each member install's phase; rows of accounts that left go once their install is deprovisioned. */
async function refreshMembers(status: OrganizationInstallStatus): Promise<void> {
  if (status.accounts.length === 0) return;
  const phases = await activities('Read the member installs’ phases').readMemberPhases({
    installIds: status.accounts.map((row) => row.installId),
  });
  const byId = new Map(phases.map((entry) => [entry.installId, entry]));
  for (const row of status.accounts) {
    const read = byId.get(row.installId);
    if (!read) continue;
    row.phase = read.phase as MemberAccountRow['phase'];
    const failing = failingPhases.has(read.phase) || (read.phase === 'awaiting_role' && read.errorCode !== undefined);
    row.errorCode = failing ? (read.errorCode ?? read.phase) : undefined;
  }
  if (status.phase !== 'deprovisioning') {
    status.accounts = status.accounts.filter((row) => row.membership === 'member' || !endedPhases.has(row.phase));
  }
  status.summary = summarize(status.accounts);
}

function summarize(rows: MemberAccountRow[]): OrganizationInstallStatus['summary'] {
  const members = rows.filter((row) => row.membership === 'member');
  const failing = members.filter((row) => row.errorCode !== undefined).length;
  const active = members.filter((row) => row.phase === 'active').length;
  return {
    members: members.length,
    active,
    pending: members.length - active - failing,
    failing,
    leaving: rows.length - members.length,
  };
}

/** Degraded when the failing share of members is over the tolerance; the healthy members are untouched either way. */
function judgeHealth(status: OrganizationInstallStatus, enter: (phase: OrganizationInstallPhase) => void): void {
  const { members, failing } = status.summary;
  const overTolerance = members > 0 && (failing * 100) / members > status.failureTolerancePercentage;
  enter(overTolerance ? 'degraded' : 'active');
}

function end(status: OrganizationInstallStatus, error?: OrganizationInstallError): OrganizationInstallResult {
  return {
    organizationInstallId: status.organizationInstallId,
    phase: status.phase,
    endedAt: new Date().toISOString(),
    error,
  };
}
