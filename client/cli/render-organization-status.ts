import type { ApiSchemas } from './api-client';

type OrganizationInstallStatus = ApiSchemas['OrganizationInstallView'];

/**
 * An organization install as a person reads it: its phase, the management role and StackSet, what to do next, then
 * the accounts table the API answers (one row per member account and its install's phase).
 */
export function renderOrganizationStatus(status: OrganizationInstallStatus): string {
  const { summary } = status;
  const lines = [
    `organization install ${status.organizationInstallId}  org ${status.orgId}  management account ` +
      `${status.managementAccountId}  ${status.region}`,
    `phase    ${status.phase}  since ${status.phaseSince}`,
    `OUs      ${status.organizationalUnitIds.join(', ')}`,
  ];
  if (status.managementRole) {
    lines.push(
      `role     ${status.managementRole.arn}` +
        (status.managementRole.verifiedAt ? ` (verified ${status.managementRole.verifiedAt})` : ''),
    );
  }
  if (status.stackSet) lines.push(`stackset ${status.stackSet.name}, deployed ${status.stackSet.deployedAt}`);
  if (status.phase === 'awaiting_management_role') {
    lines.push('next     create the management role from the kit (`org kit`) and submit its ARN (`org submit-arn`)');
    if (status.onboarding?.callback?.state === 'open') {
      lines.push(
        `         or create it as a stack (the kit's create-management-stack.sh): it reports its ARN itself, until ` +
          status.onboarding.callback.expiresAt,
      );
    }
  }
  if (status.lastError) {
    lines.push(`last error  ${status.lastError.code}: ${status.lastError.message}`);
    lines.push(`to fix      ${status.lastError.fix}`);
  }
  if (status.lastResyncAt) {
    lines.push(
      `re-sync  ${status.resyncs} so far, last ${status.lastResyncAt}` +
        (status.nextResyncAt ? `, next ${status.nextResyncAt}` : ''),
    );
  }
  lines.push(
    `members  ${summary.members}: ${summary.active} active, ${summary.pending} pending, ${summary.failing} failing` +
      (summary.leaving > 0 ? `, ${summary.leaving} leaving` : '') +
      ` (tolerance ${status.failureTolerancePercentage}%)`,
  );
  for (const row of status.accounts) {
    lines.push(
      `  ${row.accountId}  ${row.phase}${row.membership === 'leaving' ? ' (leaving)' : ''}` +
        `${row.errorCode ? `  ${row.errorCode}` : ''}  ${row.installId}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
