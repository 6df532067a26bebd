import type { PlannedChange } from '../domain/planned-change';
import type { CostReportKind } from '../domain/data-export';
import type { SandboxNaming } from '../domain/install-names';
import type { TrustPolicyFinding } from '../domain/trust-policy-check';
import type { OidcTokenProbe, TrustMode } from '../domain/oidc-trust';
import type { ExternalIdRotation } from '../domain/external-id-rotation';

/** The names and kind of cost reports an install was started with (its `cur` input, without the watch options). */
export interface CostReportSettings {
  bucketName?: string;
  prefix?: string;
  reportName?: string;
  kind?: CostReportKind;
  exportName?: string;
}

/**
 * What an install is and has done, as the status query shows it: phases in the customer's words, steps, errors with
 * their fix, the resources it created. The workflow's messages and input are in definitions.ts.
 */

/** Phases in the customer's words, in lifecycle order; the status query and the InstallPhase attribute carry them. */
export const installPhases = [
  'awaiting_role',
  'verifying_role',
  'awaiting_approval',
  'provisioning_sandbox',
  'configuring_cur',
  'handing_off',
  'active',
  'awaiting_permission_upgrade',
  'degraded',
  'deprovisioning',
  'deprovisioned',
  'expired',
  'rejected',
  'failed',
] as const;

export type InstallPhase = (typeof installPhases)[number];

export const terminalPhases: readonly InstallPhase[] = ['deprovisioned', 'expired', 'rejected', 'failed'];

/**
 * Where an install waits on someone outside (the customer's role, an approver, the runner, a deprovision request) or
 * has ended: the phases the InstallPhase search attribute takes, and the ones installs are listed by. Between two
 * of them an install works for seconds to minutes (verifying, provisioning, tearing down) and stays listed under
 * the last one; its status has the live phase.
 */
export const restingPhases: readonly InstallPhase[] = [
  'awaiting_role',
  'awaiting_approval',
  'rejected',
  'handing_off',
  'active',
  'awaiting_permission_upgrade',
  'degraded',
  'deprovisioned',
  'expired',
  'failed',
];

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
  costReportSettings?: CostReportSettings;
  /** The managed policy the onboarding kit sets as the role's permissions boundary; the preflight checks it is set. */
  permissionsBoundary?: string;
  steps: Partial<Record<StepName, StepStatus>>;
  /** How the vendor reaches the role (absent on installs from before trust modes: `external-id`). */
  trust?: TrustMode;
  /** OIDC mode: the token subject the role's trust policy must pin (`install:<org>:<install>`). */
  oidcSubject?: string;
  onboarding?: {
    externalId: string;
    vendorPrincipalArn: string;
    roleTemplateUrl: string;
    /** The role template's one-time callback (zero-paste onboarding); its token is derived by the API, never kept. */
    callback?: OnboardingCallback;
    /** A rotation's new External ID, until AWS accepts it (then it becomes `externalId`) or it expires. */
    nextExternalId?: string;
    /** The External ID a rotation replaced, until AWS refuses it. */
    previousExternalId?: string;
    /** How many times the External ID was switched: sessions are keyed by it, so none outlives its ID. */
    externalIdGeneration?: number;
  };
  /** The latest External ID rotation (domain/external-id-rotation.ts): each step, and what the customer must do. */
  externalIdRotation?: ExternalIdRotation;
  role?: {
    arn: string;
    verifiedAt?: string;
    assumedRoleArn?: string;
    /** `refused` is the only safe answer: the role must not be assumable without the External ID. */
    withoutExternalId?: 'refused' | 'allowed';
    /** `refused` is the only safe answer: the role must not be assumable with another External ID either. */
    withWrongExternalId?: 'refused' | 'allowed';
    /**
     * OIDC mode: what the role answered each token it must refuse (another install's subject, another audience,
     * expired, an unknown key); `refused` is the only safe answer.
     */
    tokenProbes?: Partial<Record<OidcTokenProbe, 'refused' | 'allowed'>>;
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
    /** The runner role's ARN (installs from before attestation: a sentence naming install and account). */
    expectedIdentity: string;
    expiresAt: string;
    /** The STS session ARN the API verified at check-in (runner identity attestation). */
    verifiedIdentity?: string;
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
  /** Webhook endpoints whose deliveries of this install's events fail, or gave some up; absent while all arrive. */
  webhooks?: WebhookDeliveryStatus[];
  /** How many events (domain/webhook-events.ts) the install has emitted: the last one's sequence. */
  eventSequence?: number;
  /** The permission set's version the role was verified against (domain/permission-versions.ts); absent: 1. */
  permissions?: PermissionsStatus;
}

/** Where the install stands on the vendor's versioned permission set. */
export interface PermissionsStatus {
  /** The version the role was last verified against: re-verification checks this one, not the newest. */
  version: number;
  /** Set while a newer version adds actions the role lacks (phase awaiting_permission_upgrade). */
  upgrade?: PermissionUpgradeStatus;
  /** Upgrades the install took on, the last few, oldest first. */
  upgrades?: PermissionUpgradeRecord[];
}

/** An upgrade the install took on: asked (absent when the role already granted it) and granted. */
export interface PermissionUpgradeRecord {
  fromVersion: number;
  toVersion: number;
  askedAt?: string;
  grantedAt: string;
}

export interface PermissionUpgradeStatus {
  fromVersion: number;
  toVersion: number;
  /** Everything the versions after fromVersion add, `action on resource`. */
  addedActions: string[];
  /** Those the role does not grant yet (at the last check). */
  missing: string[];
  /** Those granted only under a Condition: not counted as missing. */
  conditional: string[];
  /** What is asked of the customer, with the catalog's cause and fix (`permission_upgrade_required`). */
  problem?: InstallError;
  askedAt: string;
  lastCheckedAt: string;
  checks: number;
  /** Quick re-checks left before only re-verification and recheck requests look again. */
  pollsLeft: number;
}

export interface WebhookDeliveryStatus {
  endpointId: string;
  /** Events waiting for this endpoint, the failing one included. */
  pending: number;
  lastError?: string;
  /** When the delivery now failing first failed; absent once deliveries succeed again. */
  failingSince?: string;
  /** Events given up on after the retry window (delivery.window, 3 days by default). */
  dropped: number;
}

/** What the workflow returns when the install ends (and a failure carries as its details); the query serves the rest. */
export interface InstallResult {
  installId: string;
  phase: InstallPhase;
  endedAt: string;
  /** What deprovisioning or compensation could not remove; empty when nothing was left behind. */
  leftovers: Leftover[];
  error?: InstallError;
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
