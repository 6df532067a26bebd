import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import {
  customerAccessQueryName,
  type CustomerAccess,
  type CustomerAccessInput,
  type CustomerAccessRef,
} from '../domain/customer-access';
import type { CurFormat, CurVersioning } from '../domain/cost-report';
import type { TrustMode } from '../domain/oidc-trust';
import type { CostReportKind } from '../domain/data-export';
import type { SandboxTemplateName } from '../domain/sandbox-template';
import type { ExternalIdRotation, RotateExternalIdRequest } from '../domain/external-id-rotation';
import {
  installEventSignalName,
  webhookDeliveryNewsSignalName,
  type InstallEventEnvelope,
  type WebhookDeliveryNews,
} from '../domain/webhook-events';
import type { InstallError, InstallPhase, InstallStatus, OnboardingCallback, PermissionsStatus } from './status';
import type { ManagementRoleOutcome, OrganizationInstallPhase, OrganizationInstallStatus } from './organization-status';

export * from './search-attributes';
// The status types live in status.ts; client/ reads them through this file, its one door into workflows/.
export * from './status';
export * from './organization-status';

export const defaultTaskQueue = 'install-lifecycle';

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
  /**
   * How the vendor reaches the role: `external-id` (default; sts:AssumeRole as the vendor principal with the
   * External ID) or `oidc` (sts:AssumeRoleWithWebIdentity with a token from the orchestrator's OIDC issuer).
   */
  trust?: TrustMode;
  /** Keep what a failed phase created (for debugging) instead of compensating. */
  keepResourcesOnFailure?: boolean;
  /** A managed policy (the install's account's or AWS's) the kit sets as the role's permissions boundary. */
  permissionsBoundary?: string;
  /** Re-verify the role this often while active; omitted means never. */
  reverifyEvery?: Duration;
  /** Continue as new once history holds this many events (default 10,000), besides when Temporal suggests it. */
  historyEventLimit?: number;
  /** Set by the workflow itself when it continues as new while active. */
  carriedOver?: InstallStatus;
  /**
   * Set by an organization install for each member account: the role its StackSet made there, taken with the
   * organization's External ID, so the member install verifies it at once instead of waiting for a paste.
   */
  memberOf?: { organizationInstallId: string; roleArn: string; externalId: string };
}

export interface OrganizationInstallInput {
  /** At most 23 characters of an install id's alphabet: member ids append `-<account id>`. */
  organizationInstallId: string;
  /** The vendor's tenant (the API key's org), as for single installs. */
  orgId: string;
  /** The organization's management account, where the management role and the StackSet live. */
  managementAccountId: string;
  region: string;
  /** The OUs (or the root) whose accounts get an install; accounts in OUs below them too. */
  organizationalUnitIds: string[];
  /** Over this share of failing member installs, the organization install shows `degraded` (default 10). */
  failureTolerancePercentage?: number;
  /** How often the OUs' accounts are listed again (default 6 hours, 1 minute to 7 days). */
  resyncInterval?: Duration;
  /** How often the member installs' phases are read (default 1 minute, 1 second to 1 hour). */
  memberPollInterval?: Duration;
  /** How long the customer has to create the management role (default 7 days). */
  roleSubmissionTimeout?: Duration;
  /** Member accounts kept at most (default and ceiling 200). */
  maxAccounts?: number;
  /** Continue as new once this run's history holds this many events (default 5,000, at least 100). */
  historyEventLimit?: number;
  /** Settings every member install starts with. */
  memberSettings?: Pick<InstallInput, 'timeouts' | 'cur' | 'sandbox' | 'reverifyEvery' | 'keepResourcesOnFailure'>;
  /** Set by the workflow itself when it continues as new. */
  carriedOver?: OrganizationInstallStatus;
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
  /** A reference since compact history; a watch started before carries the whole access. */
  access: CustomerAccessInput;
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
  /** The runner's STS session ARN, as the API verified it from the runner's identity proof (never the proof itself). */
  verifiedIdentity?: string;
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
/**
 * The whole access behind a reference to the install's verified role (activities are sent references): for a worker
 * that holds no session for it. Nothing when the role is not the install's.
 */
export const customerAccessQuery = defineQuery<CustomerAccess | undefined, [CustomerAccessRef]>(
  customerAccessQueryName,
);
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
/**
 * Re-verifies an active install now (its role at its permission version, and what newer versions add), e.g. after the
 * customer granted an upgrade; answered once the check ran.
 */
export const recheckPermissionsUpdate = defineUpdate<{ phase: InstallPhase; permissions?: PermissionsStatus }>(
  'recheckPermissions',
);
/** Sent by the first-report watch (a child workflow) to the install it watches for. */
export const firstReportNewsSignal = defineSignal<[FirstReportNews]>('firstReportNews');
/**
 * Answers once the External ID and onboarding kit exist (or the install ended without them): sent with the start
 * (Update-with-Start), so the caller gets the kit without polling.
 */
export const waitForOnboardingUpdate = defineUpdate<InstallStatus>('waitForOnboarding');
/** One install event for the install's webhook delivery workflow (workflows/webhook-delivery.ts), sent with its start. */
export const installEventSignal = defineSignal<[InstallEventEnvelope]>(installEventSignalName);
/** Sent by the delivery workflow to its install when deliveries to an endpoint start or stop failing. */
export const webhookDeliveryNewsSignal = defineSignal<[WebhookDeliveryNews]>(webhookDeliveryNewsSignalName);

/** An organization install's status (workflows/organization-install.ts): the member accounts' table included. */
export const getOrganizationStatusQuery = defineQuery<OrganizationInstallStatus>('getOrganizationStatus');
/** The management role's ARN, verified before the answer (AssumeRole with the External ID; refused without). */
/** The management role's ARN, pasted or reported by the template's callback (then answered once it is accepted). */
export const submitManagementRoleArnUpdate = defineUpdate<ManagementRoleOutcome, [RoleArnSubmission]>(
  'submitManagementRoleArn',
);
/** Lists the OUs' accounts now instead of at the next scheduled re-sync; answers once that re-sync is done. */
export const resyncOrganizationUpdate = defineUpdate<OrganizationInstallStatus>('resyncOrganization');
/** Answers once the External ID exists (or the organization install ended without one): sent with the start. */
export const waitForOrganizationOnboardingUpdate = defineUpdate<OrganizationInstallStatus>(
  'waitForOrganizationOnboarding',
);
export const requestOrganizationDeprovisionUpdate = defineUpdate<
  { phase: OrganizationInstallPhase },
  [DeprovisionRequest]
>('requestOrganizationDeprovision');
/**
 * Starts an External ID rotation (workflows/external-id-rotation.ts) while active or degraded; answers once the new ID
 * exists. Refused (ExternalIdRotationPending) while another is under way.
 */
export const rotateExternalIdUpdate = defineUpdate<ExternalIdRotation, [RotateExternalIdRequest]>('rotateExternalId');
