import { installPhases } from '../../workflows/definitions';
import type { ApiSchemas } from './api-client';

// The status as the API's document declares it: a field the API stops answering is a tsc error here.
type InstallPhase = ApiSchemas['InstallPhase'];
type InstallStatus = ApiSchemas['InstallStatus'];
type StepName = ApiSchemas['StepName'];
type StepState = ApiSchemas['StepState'];

// The lifecycle every healthy install goes through; the optional approval and the dead ends are off the count.
const offTheCount: readonly InstallPhase[] = [
  'awaiting_approval',
  'awaiting_permission_upgrade',
  'degraded',
  'expired',
  'rejected',
  'failed',
];
const phaseOrder: readonly InstallPhase[] = installPhases.filter((phase) => !offTheCount.includes(phase));

/** A live view stops redrawing where the install waits on someone else, or has ended. */
export { restingPhases } from '../../workflows/definitions';

const stepLabels: Record<StepName, string> = {
  check_input: 'install settings within bounds',
  prepare_onboarding: 'External ID and onboarding kit',
  receive_role: 'role ARN received',
  verify_role: 'AssumeRole with External ID',
  check_permissions: 'permission preflight',
  plan_sandbox: 'sandbox change set for approval',
  deploy_sandbox: 'sandbox stack',
  create_cur_bucket: 'CUR bucket',
  apply_cur_bucket_policy: 'CUR bucket policy',
  define_cost_report: 'CUR report definition',
  define_data_export: 'CUR 2.0 data export',
  register_runner: 'runner registration',
  runner_check_in: 'runner check-in',
  teardown: 'teardown',
};

/** OIDC trust mode's steps, in its words: no External ID is used, the role is assumed with a token. */
const oidcStepLabels: Partial<Record<StepName, string>> = {
  prepare_onboarding: 'onboarding kit (OIDC provider and role)',
  verify_role: "AssumeRoleWithWebIdentity with this install's token; foreign tokens refused",
};

const stateMarks: Record<StepState, string> = {
  done: '✓',
  running: '…',
  failed: '✗',
};

/** The status as a person reads it: phase line, steps with marks, then what needs doing. */
export function renderStatus(status: InstallStatus): string {
  const lines = [
    `install ${status.installId}  org ${status.orgId}  account ${status.awsAccountId}  ${status.region}` +
      (status.trust === 'oidc' ? `  trust oidc (${status.oidcSubject})` : ''),
  ];
  const current = phaseOrder.indexOf(status.phase);
  lines.push(
    `phase   ${status.phase}` +
      (current >= 0 ? `  (${current + 1}/${phaseOrder.length})` : '') +
      `  since ${status.phaseSince}`,
  );
  for (const [name, step] of Object.entries(status.steps) as Array<
    [StepName, NonNullable<InstallStatus['steps'][StepName]>]
  >) {
    lines.push(
      `  ${stateMarks[step.state] ?? '?'} ${(status.trust === 'oidc' ? oidcStepLabels[name] : undefined) ?? stepLabels[name] ?? name}${step.detail ? ` (${step.detail})` : ''}`,
    );
  }
  if (status.lastError) lines.push(`last error  ${status.lastError.code}: ${status.lastError.message}`);
  if (status.lastError?.cause) lines.push(`because     ${status.lastError.cause}`);
  if (status.lastError?.fix) lines.push(`to fix      ${status.lastError.fix}`);
  const role = status.role;
  if (role?.lastCheckedAt) {
    lines.push(
      `health  ${role.drift ? `failing since ${role.drift.at}` : 'passing'}, last checked ${role.lastCheckedAt}` +
        (role.lastVerifiedAt ? `, last passed ${role.lastVerifiedAt}` : ''),
    );
  }
  if (role?.drift) {
    lines.push(`drift   ${role.drift.code}: ${role.drift.message}`);
    if (role.drift.fix) lines.push(`to fix  ${role.drift.fix}`);
  }
  if (status.phase === 'awaiting_role')
    lines.push('next    create the role from the onboarding kit and submit its ARN');
  if (status.phase === 'handing_off') {
    lines.push('next    start the runner with its registration token and identity proof');
    if (status.runner) lines.push(`          running as ${status.runner.expectedIdentity}`);
  }
  if (status.runner?.verifiedIdentity) lines.push(`runner  ${status.runner.verifiedIdentity} (verified by STS)`);
  if (status.phase === 'awaiting_approval') {
    lines.push('next    approve or reject what will be created:');
    for (const item of status.approval?.plan ?? []) lines.push(`          - ${item}`);
  }
  const rotation = status.externalIdRotation;
  if (rotation) {
    const until = rotation.step === 'awaiting_trust_update' ? `, new ID expires ${rotation.expiresAt}` : '';
    lines.push(`external ID rotation  ${rotation.step} (asked ${rotation.requestedAt}${until})`);
    if (rotation.customerAction) lines.push(`customer              ${rotation.customerAction}`);
  }
  const firstReport = status.cur?.firstReport;
  if (firstReport) lines.push(`cost report  ${describeFirstReport(firstReport, status.cur?.firstDeliveredAt)}`);
  if (firstReport?.problem?.fix) lines.push(`to fix       ${firstReport.problem.fix}`);
  for (const leftover of status.deprovision?.leftovers ?? []) {
    lines.push(`left behind  ${leftover.resource} ${leftover.identifier}: ${leftover.reason}`);
  }
  for (const hook of status.webhooks ?? []) {
    const failing = hook.failingSince ? `, failing since ${hook.failingSince}: ${hook.lastError ?? ''}` : '';
    const dropped = hook.dropped > 0 ? `, ${hook.dropped} dropped` : '';
    lines.push(`webhook      ${hook.endpointId}: ${hook.pending} pending${failing}${dropped}`);
  }
  return `${lines.join('\n')}\n`;
}

function describeFirstReport(
  watch: NonNullable<NonNullable<InstallStatus['cur']>['firstReport']>,
  deliveredAt: string | undefined,
): string {
  switch (watch.state) {
    case 'waiting':
      return `waiting for first report (since ${watch.since}; AWS takes up to 24 hours)`;
    case 'overdue':
      return `first report overdue (waiting since ${watch.since})`;
    case 'delivered':
      return `first report delivered at ${deliveredAt ?? 'an unknown time'}`;
    case 'stopped':
      return 'no longer watched for (deprovisioned)';
  }
}
