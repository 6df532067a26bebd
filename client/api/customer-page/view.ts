import { explainError } from '../../../domain/error-catalog';
import type { PolicyDocument } from '../../../domain/policy-document';
import { asArray } from '../../../domain/policy-document';
import { terminalPhases, type InstallPhase, type InstallStatus, type StepName } from '../../../workflows/definitions';

/** Text made safe for HTML content and attribute values: every string the page shows goes through here. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** The stages of onboarding as the customer follows them, each with the install steps and phase it covers. */
const stages: Array<{ id: string; label: string; phase: InstallPhase; steps: StepName[] }> = [
  { id: 'verify', label: 'Checking the role', phase: 'verifying_role', steps: ['verify_role', 'check_permissions'] },
  { id: 'approval', label: 'Approval of the plan', phase: 'awaiting_approval', steps: [] },
  {
    id: 'sandbox',
    label: 'Creating the sandbox',
    phase: 'provisioning_sandbox',
    steps: ['plan_sandbox', 'deploy_sandbox'],
  },
  {
    id: 'cost_report',
    label: 'Setting up the cost report',
    phase: 'configuring_cur',
    steps: ['create_cur_bucket', 'apply_cur_bucket_policy', 'define_cost_report', 'define_data_export'],
  },
  { id: 'runner', label: 'Starting the runner', phase: 'handing_off', steps: ['register_runner', 'runner_check_in'] },
];

const phaseOrder: InstallPhase[] = [
  'awaiting_role',
  'verifying_role',
  'awaiting_approval',
  'provisioning_sandbox',
  'configuring_cur',
  'handing_off',
  'active',
];

export type StageState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface StageView {
  id: string;
  label: string;
  state: StageState;
  startedAt?: string;
  finishedAt?: string;
}

export interface CustomerProblem {
  code: string;
  message: string;
  cause: string;
  fix: string;
}

/**
 * Something the install asks of the customer after onboarding, while it keeps working: let the role accept a new
 * External ID (and later drop the old one), or grant what a newer permission version adds.
 */
export interface CustomerRequest {
  id: 'external-id-rotation' | 'permission-upgrade';
  title: string;
  /** What to do, in the customer's words. */
  action: string;
  /** Why the vendor asks. */
  why?: string;
  /** Until when the request stands (a rotation's expiry): past it, nothing changes for the install. */
  until?: string;
  /** The new External ID, while the role must accept it beside the one in use. */
  newExternalId?: string;
  /** What the role must grant, `action on resource`. */
  actions?: string[];
  /** The kit's files that do it, by name (those the kit holds now). */
  files: string[];
}

const upgradeAction =
  "Replace the role's provision policy with the one below, or update the role's CloudFormation stack with the template below. The install checks again by itself; until then it keeps working with the permissions it has.";

/** What the install asks of the customer now, if anything. */
export function customerRequests(status: InstallStatus): CustomerRequest[] {
  const requests: CustomerRequest[] = [];
  const rotation = status.externalIdRotation;
  if (rotation?.customerAction && rotation.step === 'awaiting_trust_update') {
    requests.push({
      id: 'external-id-rotation',
      title: 'Let the role accept a new External ID',
      action: `${rotation.customerAction} Keep the current one until this page says the install switched.`,
      why: 'The vendor is replacing the External ID the role trusts.',
      until: rotation.expiresAt,
      ...(status.onboarding?.nextExternalId ? { newExternalId: status.onboarding.nextExternalId } : {}),
      files: ['update-role-stack.sh', 'update-trust-policy.sh', 'trust-policy.json'],
    });
  } else if (rotation?.customerAction && rotation.step === 'awaiting_old_id_removal') {
    requests.push({
      id: 'external-id-rotation',
      title: 'Remove the old External ID from the role',
      action: rotation.customerAction,
      files: ['update-role-stack.sh', 'update-trust-policy.sh', 'trust-policy.json'],
    });
  }
  const upgrade = status.permissions?.upgrade;
  if (status.phase === 'awaiting_permission_upgrade' && upgrade && upgrade.missing.length > 0) {
    requests.push({
      id: 'permission-upgrade',
      title: `Grant what version ${upgrade.toVersion} of the vendor's permissions adds`,
      action: upgradeAction,
      ...(upgrade.problem?.cause ? { why: upgrade.problem.cause } : {}),
      actions: upgrade.missing,
      files: ['provision-policy.json', 'role-template.json'],
    });
  }
  return requests;
}

/** What the customer's page shows of an install: no tokens, no runner registration, no vendor-only detail. */
export interface CustomerView {
  phase: InstallPhase;
  phaseSince: string;
  /** The page has nothing more to wait for: the install is active or has ended. */
  finished: boolean;
  stages: StageView[];
  role?: { arn: string; verifiedAt?: string };
  /** AssumeRole is being retried while IAM makes a new role usable. */
  waitingForAws: boolean;
  callbackUsed: boolean;
  problem?: CustomerProblem;
  /** What the install asks of the customer after onboarding; empty when nothing. */
  requests: CustomerRequest[];
}

function stepTimes(status: InstallStatus, steps: StepName[]) {
  const seen = steps.map((name) => status.steps[name]).filter((step) => step !== undefined);
  const starts = seen.map((step) => step.startedAt).filter((at): at is string => at !== undefined);
  const ends = seen.map((step) => step.finishedAt).filter((at): at is string => at !== undefined);
  return {
    seen,
    startedAt: starts.sort()[0],
    finishedAt: ends.sort().at(-1),
    failed: seen.some((step) => step.state === 'failed'),
  };
}

/** How long AssumeRole may take before the page says it is waiting for AWS: a role that exists answers well within. */
const awsWaitShownAfterMs = 2000;

export function customerView(status: InstallStatus, now = Date.now()): CustomerView {
  const reached = phaseOrder.indexOf(status.phase);
  const ended = terminalPhases.includes(status.phase);
  const views = stages.map((stage): StageView => {
    const times = stepTimes(status, stage.steps);
    const index = phaseOrder.indexOf(stage.phase);
    const approval = stage.id === 'approval' ? status.approval : undefined;
    const startedAt = approval?.requestedAt ?? times.startedAt;
    const finishedAt = approval?.decidedAt ?? times.finishedAt;
    let state: StageState;
    if (stage.id === 'approval' && !status.approval)
      state = reached > index || status.phase === 'active' ? 'skipped' : 'pending';
    else if (times.failed && (ended || status.phase === 'awaiting_role')) state = 'failed';
    else if (reached === index) state = 'running';
    else if (reached > index || (reached === -1 && !ended)) state = 'done';
    else if (ended && times.seen.length > 0)
      state = times.seen.every((step) => step.state === 'done') ? 'done' : 'failed';
    else state = 'pending';
    return {
      id: stage.id,
      label: stage.label,
      state,
      ...(startedAt ? { startedAt } : {}),
      ...(finishedAt && state !== 'running' ? { finishedAt } : {}),
    };
  });
  const verifying = status.steps.verify_role;
  const error = status.lastError;
  // A failed verification of an earlier ARN is shown only while the customer can act on it: awaiting a new one.
  const showError = error && (status.phase === 'awaiting_role' || ended);
  const explained =
    error &&
    (error.cause && error.fix ? { code: error.code, cause: error.cause, fix: error.fix } : explainError(error));
  return {
    phase: status.phase,
    phaseSince: status.phaseSince,
    finished: ended || status.phase === 'active',
    stages: views,
    ...(status.role
      ? { role: { arn: status.role.arn, ...(status.role.verifiedAt ? { verifiedAt: status.role.verifiedAt } : {}) } }
      : {}),
    // The step runs as long as AWS refuses AssumeRole (the workflow retries it): past a moment, that is IAM propagating.
    waitingForAws:
      status.phase === 'verifying_role' &&
      verifying?.state === 'running' &&
      !status.role?.assumedRoleArn &&
      verifying.startedAt !== undefined &&
      now - Date.parse(verifying.startedAt) >= awsWaitShownAfterMs,
    callbackUsed: status.onboarding?.callback?.state === 'used',
    requests: customerRequests(status),
    ...(showError && explained
      ? { problem: { code: explained.code, message: error.message, cause: explained.cause, fix: explained.fix } }
      : {}),
  };
}

const stateWords: Record<StageState, string> = {
  pending: 'not started',
  running: 'in progress',
  done: 'done',
  failed: 'failed',
  skipped: 'not needed',
};

/** "12 s", "3 min 4 s": how long a stage took, or has taken so far. */
export function describeDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function stageTime(stage: StageView, now: number): string {
  if (!stage.startedAt) return '';
  const end = stage.finishedAt ? Date.parse(stage.finishedAt) : now;
  const took = describeDuration(end - Date.parse(stage.startedAt));
  return stage.finishedAt ? `took ${took}` : `${took} so far`;
}

/** The progress list: one item per stage with its state and time; escaped, sent as is to the page by the stream. */
export function renderProgress(view: CustomerView, now = Date.now()): string {
  const items = view.stages.map((stage) => {
    const time = stageTime(stage, now);
    return (
      `<li class="stage stage-${stage.state}" data-stage="${escapeHtml(stage.id)}">` +
      `<span class="stage-label">${escapeHtml(stage.label)}</span> ` +
      `<span class="stage-state">${escapeHtml(stateWords[stage.state])}</span>` +
      (time ? ` <span class="stage-time">${escapeHtml(time)}</span>` : '') +
      '</li>'
    );
  });
  const active = view.phase === 'active';
  items.push(
    `<li class="stage stage-${active ? 'done' : 'pending'}" data-stage="active">` +
      `<span class="stage-label">Install active</span> <span class="stage-state">${active ? 'yes' : 'not yet'}</span></li>`,
  );
  return `<ol class="stages">${items.join('')}</ol>`;
}

/** The answer under the role ARN box: waiting for AWS, verified, or the problem with its cause and fix. */
export function renderRoleResult(view: CustomerView): string {
  if (view.problem) return renderProblem(view.problem);
  if (view.role?.verifiedAt) {
    return `<p class="result result-ok">Role ${escapeHtml(view.role.arn)} verified.</p>`;
  }
  if (view.waitingForAws) {
    return `<p class="result result-wait">Waiting for AWS to make the role usable. A new role takes a few seconds to become assumable; nothing to do, this page moves on by itself.</p>`;
  }
  if (view.phase === 'verifying_role' && view.role) {
    return `<p class="result result-wait">Checking role ${escapeHtml(view.role.arn)}…</p>`;
  }
  if (view.callbackUsed && view.role) {
    return `<p class="result result-ok">Your CloudFormation stack reported role ${escapeHtml(view.role.arn)}.</p>`;
  }
  return '';
}

export function renderProblem(problem: { message: string; cause?: string; fix?: string }): string {
  return (
    `<div class="result result-problem"><p><strong>${escapeHtml(problem.message)}</strong></p>` +
    (problem.cause ? `<p><span class="label">Why:</span> ${escapeHtml(problem.cause)}</p>` : '') +
    (problem.fix ? `<p><span class="label">What to do:</span> ${escapeHtml(problem.fix)}</p>` : '') +
    '</div>'
  );
}

/** One sentence for the live region: what changed, not the whole list again. */
export function announce(view: CustomerView, now = Date.now()): string {
  if (view.requests.length > 0) return `Asked of you: ${view.requests.map((request) => request.title).join('; ')}.`;
  if (view.phase === 'active') return 'Your install is active. Nothing more to do.';
  if (view.problem) return `Problem: ${view.problem.message}`;
  if (view.waitingForAws) return 'Waiting for AWS to make the role usable.';
  const running = view.stages.find((stage) => stage.state === 'running');
  if (running) return `${running.label}: in progress, ${stageTime(running, now)}.`;
  if (view.phase === 'awaiting_role') return 'Waiting for the role ARN.';
  return `The install is ${view.phase.replace(/_/g, ' ')}.`;
}

/** What each statement group of the policies lets the vendor do, in words; keyed by the Sid without its number. */
const purposeWords: Record<string, { title: string; why: string }> = {
  InspectOwnRole: {
    title: 'Read this role',
    why: 'To check the role trusts only the vendor, with your External ID, and grants what the install needs.',
  },
  ManageSandbox: {
    title: 'Manage the sandbox',
    why: "To create and update one CloudFormation stack, and the S3 buckets and SQS queues in it, all named with this install's prefix.",
  },
  ConfigureCostReport: {
    title: 'Set up the cost report',
    why: 'To create the bucket your AWS cost and usage reports are delivered to, allow AWS billing to write there, and define the report.',
  },
  Teardown: {
    title: 'Remove what the install created',
    why: 'Only when the install is removed: delete the sandbox stack, its buckets and queues, and the cost report set up for it.',
  },
};

export interface PermissionGroup {
  title: string;
  why: string;
  statements: Array<{ actions: string[]; resources: string[] }>;
}

/** The statements of a policy grouped as the policy groups them (one purpose per Sid family), in words. */
export function describePolicy(policy: PolicyDocument): PermissionGroup[] {
  const groups = new Map<string, PermissionGroup>();
  for (const statement of policy.Statement) {
    const family = (statement.Sid ?? '').replace(/\d+$/, '');
    const words = purposeWords[family] ?? { title: family || 'Other', why: '' };
    const group = groups.get(family) ?? { ...words, statements: [] };
    group.statements.push({ actions: asArray(statement.Action), resources: asArray(statement.Resource) });
    groups.set(family, group);
  }
  return [...groups.values()];
}
