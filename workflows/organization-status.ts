import type { InstallPhase, OnboardingCallback } from './status';

/**
 * An organization install as its status query shows it: the management role, the members' StackSet and one row per
 * member account with its install's phase. Its messages are declared in definitions.ts.
 */
export const organizationInstallPhases = [
  'awaiting_management_role',
  'verifying_management_role',
  'deploying_stack_set',
  'active',
  /** More member installs fail than the tolerance allows; the healthy ones keep working. */
  'degraded',
  'deprovisioning',
  'deprovisioned',
  'expired',
  'failed',
] as const;

export type OrganizationInstallPhase = (typeof organizationInstallPhases)[number];

/** Where an organization install waits on someone (the customer's management role) or runs on its own, or has ended. */
export const organizationRestingPhases: readonly OrganizationInstallPhase[] = [
  'awaiting_management_role',
  'active',
  'degraded',
  'deprovisioned',
  'expired',
  'failed',
];

/** A member install's phase, `starting` until its first status is read, `missing` if its workflow is gone. */
export type MemberPhase = InstallPhase | 'starting' | 'missing';

export interface MemberAccountRow {
  accountId: string;
  /** The member install: `<organization install id>-<account id>`. */
  installId: string;
  phase: MemberPhase;
  /** `leaving` once the account left the OUs: its install is being deprovisioned, and the row goes when it is. */
  membership: 'member' | 'leaving';
  /** The member install's last error code, while its phase is a failing one. */
  errorCode?: string;
  joinedAt: string;
}

/** An error as the status shows it: the catalog's code, cause and fix (domain/error-catalog.ts) beside the message. */
export interface OrganizationInstallError {
  code: string;
  message: string;
  cause: string;
  fix: string;
  at: string;
}

export interface OrganizationInstallStatus {
  organizationInstallId: string;
  orgId: string;
  managementAccountId: string;
  region: string;
  organizationalUnitIds: string[];
  phase: OrganizationInstallPhase;
  phaseSince: string;
  failureTolerancePercentage: number;
  onboarding?: {
    externalId: string;
    vendorPrincipalArn: string;
    managementRoleName: string;
    memberRoleName: string;
    stackSetName: string;
    /** The management role template's one-time callback: open until the ARN arrives or the wait ends. */
    callback?: OnboardingCallback;
  };
  managementRole?: { arn: string; verifiedAt?: string; assumedRoleArn?: string; organizationId?: string };
  stackSet?: { name: string; deployedAt: string; autoDeployment: true };
  /** One row per member account, sorted by account id. */
  accounts: MemberAccountRow[];
  summary: { members: number; active: number; pending: number; failing: number; leaving: number };
  lastResyncAt?: string;
  nextResyncAt?: string;
  resyncs: number;
  lastError?: OrganizationInstallError;
  deprovision?: { requestedAt: string; requestedBy?: string; finishedAt?: string };
}

export interface OrganizationInstallResult {
  organizationInstallId: string;
  phase: OrganizationInstallPhase;
  endedAt: string;
  error?: OrganizationInstallError;
}

export interface ManagementRoleOutcome {
  verified: boolean;
  phase: OrganizationInstallPhase;
  error?: OrganizationInstallError;
}
