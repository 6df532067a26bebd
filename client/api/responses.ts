import type { OnboardingArtifacts } from '../../domain/onboarding-artifacts';
import type { KitFile } from '../../domain/onboarding-kit';
import type { ExternalIdRotation } from '../../domain/external-id-rotation';
import type { PermissionUpgradeKit } from '../../domain/permission-upgrade-kit';
import type {
  InstallPhase,
  InstallStatus,
  ManagementRoleOutcome,
  OnboardingCallback,
  OrganizationInstallPhase,
  OrganizationInstallStatus,
  PermissionUpgradeRecord,
  PermissionUpgradeStatus,
  VerificationOutcome,
} from '../../workflows/definitions';
import type { InstallSummary } from '../install-service';

/*
 * What each route answers, as types: the routes return them, and `npm run generate:api` turns them into the JSON
 * schemas of the OpenAPI document (contract/response-schemas.json), which Fastify serializes with. A field added here
 * or to InstallStatus appears in the document after regenerating; one the route returns but no type declares would
 * be dropped by the serializer, so the routes are typed with these.
 */

/** Where to go next for an install. */
export interface InstallLinks {
  self: string;
  onboarding: string;
  roleArn: string;
  deprovision: string;
  /** The install's workflow in the Temporal Web UI, when the API knows the UI's address. */
  temporalUi?: string;
}

/** An install's status with its links: the answer to a start and to a status read. */
export interface InstallEnvelope {
  install: InstallStatus;
  links: InstallLinks;
}

/** One page of installs, newest first, as Temporal visibility lists them. */
export interface InstallPage {
  installs: InstallSummary[];
}

/** The phase an approval decision left the install in. */
export interface ApprovalAnswer {
  phase: InstallPhase;
  links: InstallLinks;
}

/** A deprovision request was taken; `phase` is the one the install was in when it was asked. */
export interface DeprovisionAccepted {
  accepted: true;
  phase: InstallPhase;
  links: InstallLinks;
}

/** The External ID rotation just started (step `awaiting_trust_update`); the kit now renders both IDs. */
export interface ExternalIdRotationAnswer {
  externalIdRotation: ExternalIdRotation;
  links: InstallLinks;
}

/** Taken, and still being worked on: follow `links.self`. */
export interface Accepted {
  accepted: true;
  links: InstallLinks;
}

/** The outcome of verifying a submitted role ARN. */
export interface VerificationAnswer extends VerificationOutcome {
  links: InstallLinks;
}

/** The role template's one-time callback as the caller may see it (its id, and so its token, stays inside). */
export type CallbackView = Omit<OnboardingCallback, 'callbackId'>;

/** A file of the onboarding kit and where to download it. */
export interface KitFileLink {
  name: KitFile['name'];
  url: string;
}

/** The customer's own page for this install: a signed link the vendor hands on, and when it stops working. */
export interface CustomerLink {
  /** Opens the onboarding page for this install only; a restart of onboarding revokes it. */
  customerUrl: string;
  customerUrlExpiresAt: string;
}

/** What the customer needs to create the role: External ID, policies, templates, and the kit's files. */
export interface OnboardingKit extends OnboardingArtifacts, CustomerLink {
  callback?: CallbackView;
  files: KitFileLink[];
}

/** A fresh callback, the console link that carries it, and the customer link that now works. */
export interface OnboardingRestart extends CustomerLink {
  callback: CallbackView;
  quickCreateUrl: string;
}

/** The one-time token the runner checks in with; only the vendor sees it. */
export interface RunnerRegistration {
  registrationId: string;
  token: string;
  expiresAt: string;
}

/** The runner's check-in was taken. */
export interface RunnerCheckInAnswer {
  accepted: true;
  phase: InstallPhase;
}

/**
 * Where an install stands on the vendor's versioned permissions, and, while it is asked to take on a newer version,
 * what to grant and three ways to grant it.
 */
export interface PermissionsView {
  phase: InstallPhase;
  /** The version the role was verified against (1 for installs verified before versions). */
  version: number;
  /** The newest version the vendor ships: an install below it is checked at its next re-verification or recheck. */
  currentVersion: number;
  /** Open while the role lacks what a newer version adds (phase awaiting_permission_upgrade). */
  upgrade?: PermissionUpgradeView;
  upgrades: PermissionUpgradeRecord[];
  links: PermissionLinks;
}

/** An open upgrade request as the status has it, with what to grant and how. */
export interface PermissionUpgradeView extends PermissionUpgradeStatus {
  kit: PermissionUpgradeKit;
}

export interface PermissionLinks extends InstallLinks {
  /** POST: re-verify now, once the customer granted the upgrade. */
  recheck: string;
}

/** The OIDC discovery document (security/oidc-issuer.ts): what AWS reads to find the JWKS. */
export interface OidcDiscovery {
  issuer: string;
  jwks_uri: string;
  response_types_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
  claims_supported: string[];
}

/** One public signing key, as RFC 7517 writes it (RSA: n, e; EC: crv, x, y). */
export interface PublicJwk {
  kty: string;
  kid: string;
  alg: string;
  use: string;
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

export interface Jwks {
  keys: PublicJwk[];
}

export interface Health {
  status: 'ok';
}

export interface Readiness {
  status: 'ready';
}

/** Where to go next for an organization install. */
export interface OrganizationInstallLinks {
  self: string;
  kit: string;
  roleArn: string;
  resync: string;
  deprovision: string;
}

/** An organization install's onboarding as the API answers it: its callback without the id its token is made from. */
export type OrganizationOnboardingView = Omit<NonNullable<OrganizationInstallStatus['onboarding']>, 'callback'> & {
  callback?: CallbackView;
};

/** An organization install's status as the API answers it. */
export type OrganizationInstallView = Omit<OrganizationInstallStatus, 'onboarding'> & {
  onboarding?: OrganizationOnboardingView;
};

/** An organization install's status (its member accounts' table included) with its links. */
export interface OrganizationInstallEnvelope {
  organizationInstall: OrganizationInstallView;
  links: OrganizationInstallLinks;
}

/** What the customer needs in the management account: the role's template and CLI, and what the StackSet deploys. */
export interface OrganizationInstallKit {
  externalId: string;
  vendorPrincipalArn: string;
  managementRoleName: string;
  /** CloudFormation template of the management role (parameter ExternalId). */
  managementRoleTemplate: Record<string, unknown>;
  /** The same as AWS CLI commands, trusted access for StackSets first. */
  managementRoleCli: string;
  /** What the vendor's StackSet creates in every member account, for the customer to read. */
  memberRoleTemplate: Record<string, unknown>;
  stackSetName: string;
  /**
   * While the management role template's callback is open: where the stack reports the role's ARN, and the one-time
   * token it sends (template parameters CallbackUrl and CallbackToken), so nobody pastes the ARN.
   */
  callback?: CallbackView & { url: string; token: string };
  /** AWS CLI: the management role as a stack from the template, reporting its ARN through the callback. */
  managementStackCli?: string;
  links: OrganizationInstallLinks;
}

/** The outcome of verifying a submitted management role ARN. */
export interface ManagementRoleAnswer extends ManagementRoleOutcome {
  links: OrganizationInstallLinks;
}

/** The management role's ARN was taken from its stack's callback; its verification runs after. */
export interface OrganizationCallbackAccepted {
  accepted: true;
  links: OrganizationInstallLinks;
}

/** A deprovision request was taken; `phase` is the one the organization install was in when it was asked. */
export interface OrganizationDeprovisionAccepted {
  accepted: true;
  phase: OrganizationInstallPhase;
  links: OrganizationInstallLinks;
}
