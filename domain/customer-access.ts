import { hash36 } from './install-names';

/** How an activity reaches the customer account. Holds no credentials: those are obtained in the activity. */
export interface CustomerAccess {
  installId: string;
  roleArn: string;
  externalId: string;
  region: string;
  /**
   * Set on installs in OIDC trust mode: the role is assumed with AssumeRoleWithWebIdentity and a token for this
   * subject (domain/oidc-trust.ts), minted per call in the worker; the External ID then goes unused.
   */
  oidc?: { subject: string };
  /** Which External ID this is, once one was rotated (absent: the first): sessions are kept per ID. */
  externalIdGeneration?: number;
}

/**
 * Which install's role an activity acts as, and nothing secret: what the install sends its activities instead of the
 * whole access each time (no External ID in their inputs, a quarter of the bytes). A worker that holds no session for
 * the role asks the install for the rest (`customerAccessQueryName`).
 */
export interface CustomerAccessRef {
  installId: string;
  /**
   * The role's fingerprint (`roleFingerprint`): a worker's session for another role of the same install (one that
   * failed verification before the customer fixed it) is never taken for this one.
   */
  role: string;
  /** The External ID's generation, once one was rotated (absent: the first). */
  externalIdGeneration?: number;
}

/** What activities accept: a reference, or the whole access (verification, and activities scheduled before refs). */
export type CustomerAccessInput = CustomerAccess | CustomerAccessRef;

/** The install's query that answers a reference with the whole access, or nothing if the role is not its own. */
export const customerAccessQueryName = 'customerAccess';

export function customerAccessRef(access: CustomerAccess): CustomerAccessRef {
  const { externalIdGeneration } = access;
  return {
    installId: access.installId,
    role: roleFingerprint(access.roleArn),
    ...(externalIdGeneration ? { externalIdGeneration } : {}),
  };
}

/** 8 characters standing for a role ARN; pure, so the workflow and the worker compute the same. */
export function roleFingerprint(roleArn: string): string {
  return hash36(roleArn);
}

/** The key of an install's session for one role, from a reference or the whole access alike. */
export function sessionKeyOf(access: CustomerAccessInput): string {
  const key = `${access.installId}|${isWholeAccess(access) ? roleFingerprint(access.roleArn) : access.role}`;
  // A session obtained with a rotated-out External ID is never used for the new one (nor the other way round).
  return access.externalIdGeneration ? `${key}|${access.externalIdGeneration}` : key;
}

export function isWholeAccess(access: CustomerAccessInput): access is CustomerAccess {
  return 'externalId' in access && typeof access.externalId === 'string';
}
