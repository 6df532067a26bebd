import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { CustomerAccess } from '../domain/customer-access';
import type { PlannedChange } from '../domain/planned-change';
import type { CurFormat, CurVersioning } from '../domain/cost-report';
import type { CostReportKind } from '../domain/data-export';
import type { SandboxNaming } from '../domain/install-names';
import type { SandboxTemplateName } from '../domain/sandbox-template';
import type { TrustPolicyFinding } from '../domain/trust-policy-check';

export * from './search-attributes';

export const defaultTaskQueue = 'install-lifecycle';

/** Phases in the customer's words, in lifecycle order; the status query and the InstallPhase attribute carry them. */
export const installPhases = [
  'awaiting_role',
  'verifying_role',
  'awaiting_approval',
  'provisioning_sandbox',
  'configuring_cur',
  'handing_off',
  'active',
  'degraded',
  'deprovisioning',
  'deprovisioned',
  'expired',
  'rejected',
  'failed',
] as const;

export type InstallPhase = (typeof installPhases)[number];

export const terminalPhases: readonly InstallPhase[] = ['deprovisioned', 'expired', 'rejected', 'failed'];

export interface InstallTimeouts {
  /** How long the customer has to create the role and submit its ARN before the install expires. */
  roleSubmission: Duration;
  /** How long the role template's one-time callback stays open (restart onboarding for a new one). */
  onboardingCallback: Duration;
  /** When to remind the customer that the role is still missing. */
  roleReminder: Duration;
  /** How long a just-created role may keep being refused (IAM propagates in seconds, rarely a minute). */
  rolePropagation: Duration;
  /** How long CloudFormation may take for the sandbox stack. */
  sandboxStack: Duration;
  /** How long the runner has to check in after registration. */
  runnerCheckIn: Duration;
}

export interface InstallInput {
  installId: string;
  orgId: string;
  /** The 12-digit account the customer says the role lives in; a role from another account is refused. */
  awsAccountId: string;
  region: string;
  sandbox?: { template?: SandboxTemplateName; parameters?: Record<string, string> };
  cur?: {
    bucketName?: string;
    prefix?: string;
    reportName?: string;
    /** The legacy CUR definition (default), a CUR 2.0 data export, or both. */
    kind?: CostReportKind;
    /** Name of the CUR 2.0 export; the report name by default. */
    exportName?: string;
    format?: CurFormat;
    versioning?: CurVersioning;
    /** Watch the bucket for the first delivery (AWS takes up to 24 hours); on by default. */
    firstReport?: FirstReportWatchOptions;
    /** What deprovisioning does with the CUR bucket the install created: delete it (default) or keep it. */
    bucketOnDeprovision?: 'delete' | 'retain';
  };
  timeouts?: Partial<InstallTimeouts>;
  /** Stop before creating anything until someone approves the plan; approvals expire (default 30 days). */
  approval?: { required: true; expiresAfter?: Duration };
  /** Keep what a failed phase created (for debugging) instead of compensating. */
  keepResourcesOnFailure?: boolean;
  /** Re-verify the role this often while active; omitted means never. */
  reverifyEvery?: Duration;
  /** Continue as new once history holds this many events (default 10,000), besides when Temporal suggests it. */
  historyEventLimit?: number;
  /** Set by the workflow itself when it continues as new while active. */
  carriedOver?: InstallStatus;
}

export interface FirstReportWatchOptions {
  watch?: boolean;
  /** How often to look in the bucket (default 30 minutes). */
  pollEvery?: Duration;
  /** When a missing first report becomes a problem to report (default 48 hours; AWS promises 24). */
  overdueAfter?: Duration;
  /** Polls per run before the watch continues as new, to keep its history short (default 100). */
  pollsPerRun?: number;
}

export interface FirstReportWatchInput {
  installId: string;
  access: CustomerAccess;
  bucket: string;
  keyPrefix: string;
  fileName: string;
  startedAt: string;
  options: FirstReportWatchOptions;
  /** Carried across continue-as-new. */
  pollsSoFar?: number;
  overdueReported?: boolean;
}

/** What the watch tells the install: the first delivery, or that it is late. */
export type FirstReportNews =
  { kind: 'delivered'; at: string; manifestKey: string } | { kind: 'overdue'; since: string };

export type StepName =
  | 'check_input'
  | 'prepare_onboarding'
  | 'receive_role'
  | 'verify_role'
  | 'check_permissions'
  | 'plan_sandbox'
  | 'deploy_sandbox'
  | 'create_cur_bucket'
  | 'apply_cur_bucket_policy'
  | 'define_cost_report'
  | 'define_data_export'
  | 'register_runner'
  | 'runner_check_in'
  | 'teardown';

export type StepState = 'running' | 'done' | 'failed';

export interface StepStatus {
  state: StepState;
  startedAt?: string;
  finishedAt?: string;
  /** Attempts the last activity of this step needed, as Temporal reported them. */
  detail?: string;
}

export interface InstallError {
  /** Stable, machine-readable, from domain/error-catalog.ts (e.g. `external_id_not_enforced`). */
  code: string;
  /** AWS's or the install's own words. */
  message: string;
  /** The catalog's one sentence on why it happened. */
  cause?: string;
  /** What the customer or operator can do about it. */
  fix?: string;
  step?: StepName;
  /** AWS's error code and the operation it answered, when an AWS call failed. */
  awsErrorCode?: string;
  operation?: string;
  at: string;
}

export interface InstallStatus {
  installId: string;
  orgId: string;
  awsAccountId: string;
  region: string;
  phase: InstallPhase;
  phaseSince: string;
  /** How the sandbox's names are prefixed for the whole life of the install; absent on installs from before. */
  sandboxNaming?: SandboxNaming;
  /** The cost-report names and kind the install was started with: the onboarding policies are rendered from them. */
  costReportSettings?: Pick<
    NonNullable<InstallInput['cur']>,
    'bucketName' | 'prefix' | 'reportName' | 'kind' | 'exportName'
  >;
  steps: Partial<Record<StepName, StepStatus>>;
  onboarding?: {
    externalId: string;
    vendorPrincipalArn: string;
    roleTemplateUrl: string;
    /** The role template's one-time callback (zero-paste onboarding); its token is derived by the API, never kept. */
    callback?: OnboardingCallback;
  };
  role?: {
    arn: string;
    verifiedAt?: string;
    assumedRoleArn?: string;
    /** `refused` is the only safe answer: the role must not be assumable without the External ID. */
    withoutExternalId?: 'refused' | 'allowed';
    /** `refused` is the only safe answer: the role must not be assumable with another External ID either. */
    withWrongExternalId?: 'refused' | 'allowed';
    /** What the trust policy (read with iam:GetRole) admits beyond the vendor with this External ID; empty is safe. */
    trustPolicyFindings?: TrustPolicyFinding[];
    missingPermissions?: string[];
    conditionalPermissions?: string[];
    /** When a re-verification last passed (onboarding's verification counts as the first). */
    lastVerifiedAt?: string;
    /** When a re-verification last ran, passing or not. */
    lastCheckedAt?: string;
    /** What the latest re-verification found wrong; `at` is when that problem was first seen. */
    drift?: InstallError;
  };
  roleSubmissions: number;
  remindersSent: number;
  sandbox?: { stackName: string; stackId?: string; stackStatus?: string; outputs?: Record<string, string> };
  cur?: {
    bucket: string;
    prefix: string;
    reportName: string;
    bucketCreatedByInstall?: boolean;
    policyApplied?: boolean;
    reportDefinition?: 'created' | 'unchanged' | 'modified';
    kind?: CostReportKind;
    /** The CUR 2.0 export, when the install sets one up. */
    dataExport?: { name: string; exportArn?: string; result?: 'created' | 'unchanged' | 'modified' };
    /** `waiting` until AWS delivers the first report; `overdue` when that takes longer than it should. */
    firstReport?: {
      state: 'waiting' | 'overdue' | 'delivered' | 'stopped';
      watchWorkflowId: string;
      since: string;
      manifestKey?: string;
      problem?: InstallError;
    };
    /** When the first report's manifest appeared in the bucket. */
    firstDeliveredAt?: string;
  };
  runner?: {
    registrationId: string;
    tokenSha256: string;
    expectedIdentity: string;
    expiresAt: string;
    runnerId?: string;
    checkedInAt?: string;
    revokedAt?: string;
  };
  deprovision?: { requestedAt: string; requestedBy?: string; finishedAt?: string; leftovers: Leftover[] };
  approval?: {
    /** What provisioning will create in the customer account, for the approver to read. */
    plan: string[];
    /** CloudFormation's change set for the sandbox: what the approver sees is what gets executed. */
    changeSet?: { changeSetId: string; stackId: string; changes: PlannedChange[] };
    requestedAt: string;
    expiresAt: string;
    decision?: 'approved' | 'rejected';
    decidedBy?: string;
    onBehalfOf?: string;
    decidedAt?: string;
    reason?: string;
  };
  lastError?: InstallError;
}

/** Something deprovisioning could not remove, kept so nobody has to guess what is left in the account. */
export interface Leftover {
  resource: string;
  identifier: string;
  reason: string;
}

export interface OnboardingCallback {
  callbackId: string;
  state: 'open' | 'used' | 'expired';
  expiresAt: string;
  usedAt?: string;
  /** The customer's CloudFormation stack that reported the role. */
  stackId?: string;
}

export interface RoleArnSubmission {
  roleArn: string;
  /** Set when the role template's callback, not a person, submits the ARN. */
  callback?: { callbackId: string; stackId: string };
}

export interface VerificationOutcome {
  verified: boolean;
  phase: InstallPhase;
  error?: InstallError;
}

export interface RunnerCheckIn {
  registrationId: string;
  /** SHA-256 of the registration token, hex: the token itself never enters workflow history. */
  tokenSha256: string;
  runnerId: string;
}

export interface ApprovalDecision {
  approve: boolean;
  /** Who decided: the id of the API key that sent the decision (recorded in the status as `decidedBy`). */
  by: string;
  /** The person the caller says it decides for: free text, not checked. */
  onBehalfOf?: string;
  reason?: string;
}

export interface DeprovisionRequest {
  reason?: string;
  /** The id of the API key that asked for the teardown. */
  requestedBy?: string;
}

export const getStatusQuery = defineQuery<InstallStatus>('getStatus');
/** Fire-and-forget, for a pasted ARN; a bad ARN is recorded in the status. */
export const roleArnSubmittedSignal = defineSignal<[RoleArnSubmission]>('roleArnSubmitted');
/** Validated synchronously and answered with the verification outcome. */
export const submitRoleArnUpdate = defineUpdate<VerificationOutcome, [RoleArnSubmission]>('submitRoleArn');
export const runnerCheckInUpdate = defineUpdate<{ accepted: true; phase: InstallPhase }, [RunnerCheckIn]>(
  'runnerCheckIn',
);
export const deprovisionSignal = defineSignal<[DeprovisionRequest]>('deprovision');
export const requestDeprovisionUpdate = defineUpdate<{ phase: InstallPhase }, [DeprovisionRequest]>(
  'requestDeprovision',
);
/** Opens a fresh callback (the old token stops working), e.g. after the last one expired. */
export const restartOnboardingUpdate = defineUpdate<OnboardingCallback>('restartOnboarding');
export const decideApprovalUpdate = defineUpdate<{ phase: InstallPhase }, [ApprovalDecision]>('decideApproval');
/** Sent by the first-report watch (a child workflow) to the install it watches for. */
export const firstReportNewsSignal = defineSignal<[FirstReportNews]>('firstReportNews');
