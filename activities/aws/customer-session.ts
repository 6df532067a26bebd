import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, type Credentials } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  customerAccessQueryName,
  isWholeAccess,
  sessionKeyOf,
  type CustomerAccess,
  type CustomerAccessInput,
  type CustomerAccessRef,
} from '../../domain/customer-access';
import { roleSessionName } from '../../domain/install-names';
import { mintToken, type OidcIssuer, type TokenRequest } from '../../security/oidc-issuer';
import type { AwsClientFactory, CustomerClients } from './clients';
import { awsErrorCode, awsErrorDetails, rethrowAwsError } from './errors';

/**
 * A refusal by the role (or the customer's policies). Not InvalidClientTokenId or SignatureDoesNotMatch: on AssumeRole
 * those are about the vendor's own credentials, which no change to the customer's role can fix.
 */
export const accessDeniedCodes = new Set(['AccessDenied', 'AccessDeniedException']);

export function toCredentialIdentity(credentials: Credentials | undefined): AwsCredentialIdentity {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration,
  };
}

interface CachedSession {
  expiresAt: number;
  clients: CustomerClients;
  access: CustomerAccess;
}

/** A customer session's clients, and the whole access they were obtained with. */
export interface CustomerSession {
  clients: CustomerClients;
  access: CustomerAccess;
}

// Refresh well before expiry so a long stack wait never starts with credentials about to lapse.
const refreshMarginMs = 5 * 60_000;

export interface CustomerSessionOptions {
  /**
   * How long an assumed-role session lasts (AWS default 3600 s). AWS caps it at one hour when the worker itself runs
   * as an assumed role (role chaining), and at the role's own maximum session duration.
   */
  sessionSeconds?: number;
  now?: () => number;
  /**
   * Sessions kept at most, the least recently used dropped first (default 1,000): each holds SDK clients, and a
   * worker meets more installs over its life than it needs sessions for at once.
   */
  maxSessions?: number;
  /**
   * The whole access behind a reference, for a worker that holds no session for it: by default the install's
   * `customerAccess` query, through the activity's client. Undefined when the install does not know the role.
   */
  lookUpAccess?: (ref: CustomerAccessRef) => Promise<CustomerAccess | undefined>;
  /** The orchestrator's OIDC issuer (config/oidc-issuer.ts): signs the tokens of installs in OIDC trust mode. */
  oidcIssuer?: OidcIssuer;
}

/** Asks the install (workflow id = install id) through the Temporal client of the activity running now. */
export async function queryInstallForAccess(ref: CustomerAccessRef): Promise<CustomerAccess | undefined> {
  const handle = Context.current().client.workflow.getHandle(ref.installId);
  return handle.query<CustomerAccess | undefined, [CustomerAccessRef]>(customerAccessQueryName, ref);
}

/**
 * Assumed-role sessions, cached per process for their lifetime: credentials live only in worker memory and are
 * never returned to a workflow. Each worker process assumes the role on its own, so nothing assumes one machine.
 */
export class CustomerSessions {
  private readonly sessions = new Map<string, CachedSession>();
  private readonly now: () => number;
  private readonly maxSessions: number;
  private readonly lookUpAccess: (ref: CustomerAccessRef) => Promise<CustomerAccess | undefined>;

  constructor(
    private readonly aws: AwsClientFactory,
    private readonly options: CustomerSessionOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxSessions = options.maxSessions ?? 1000;
    this.lookUpAccess = options.lookUpAccess ?? queryInstallForAccess;
  }

  async clients(access: CustomerAccessInput): Promise<CustomerClients> {
    return (await this.session(access)).clients;
  }

  /** The role's session: kept from an earlier activity, or assumed now (asking the install for the access if need be). */
  async session(access: CustomerAccessInput): Promise<CustomerSession> {
    const key = sessionKeyOf(access);
    const cached = this.sessions.get(key);
    if (cached && cached.expiresAt - refreshMarginMs > this.now()) {
      // Most recently used last: the map's order is the order sessions are dropped in.
      this.sessions.delete(key);
      this.sessions.set(key, cached);
      return cached;
    }

    const whole = await this.resolve(access);
    try {
      const credentials = await this.assumeRole(whole);
      return { clients: this.remember(whole, credentials), access: whole };
    } catch (error) {
      const code = awsErrorCode(error);
      if (code && accessDeniedCodes.has(code)) {
        // The role worked before this step, so a refusal now means the customer changed or deleted it.
        throw ApplicationFailure.nonRetryable(
          `The role ${whole.roleArn} can no longer be assumed: ${code}`,
          'RoleAccessLost',
          awsErrorDetails(error, 'sts:AssumeRole'),
        );
      }
      rethrowAwsError(error, 'sts:AssumeRole');
    }
  }

  /** The whole access behind a reference: kept with the role's session, or asked of the install. */
  async resolve(access: CustomerAccessInput): Promise<CustomerAccess> {
    if (isWholeAccess(access)) return access;
    return this.sessions.get(sessionKeyOf(access))?.access ?? this.lookUp(access);
  }

  /**
   * AssumeRole as the vendor, with the External ID, or, in OIDC trust mode, AssumeRoleWithWebIdentity with a token
   * minted now for this install; AWS's errors reach the caller as they came, to classify.
   */
  async assumeRole(access: CustomerAccess): Promise<AwsCredentialIdentity> {
    if (access.oidc) return this.assumeRoleWithToken(access, { subject: access.oidc.subject });
    const response = await this.aws.vendorSts().send(
      new AssumeRoleCommand({
        RoleArn: access.roleArn,
        ExternalId: access.externalId,
        RoleSessionName: roleSessionName(access.installId),
        DurationSeconds: this.options.sessionSeconds,
      }),
    );
    return toCredentialIdentity(response.Credentials);
  }

  /**
   * AssumeRoleWithWebIdentity, unsigned, with a token made for this one call: it lives in this frame only, never
   * logged, returned or put in an activity's input or result. The probes pass the forms that must be refused.
   */
  async assumeRoleWithToken(
    access: CustomerAccess,
    token: Omit<TokenRequest, 'now'>,
    sessionLabel?: string,
  ): Promise<AwsCredentialIdentity> {
    if (!this.options.oidcIssuer) {
      throw ApplicationFailure.nonRetryable(
        'This worker has no OIDC issuer configured (OIDC_ISSUER_URL, OIDC_SIGNING_KEYS_FILE) for an OIDC install.',
        'OidcIssuerNotConfigured',
      );
    }
    const response = await this.aws.webIdentitySts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: access.roleArn,
        WebIdentityToken: mintToken(this.options.oidcIssuer, { ...token, now: this.now() }),
        RoleSessionName: roleSessionName(access.installId, sessionLabel),
        DurationSeconds: this.options.sessionSeconds,
      }),
    );
    return toCredentialIdentity(response.Credentials);
  }

  /** The issuer tokens are signed by, for the probes; undefined when this worker has none. */
  get oidcIssuer(): OidcIssuer | undefined {
    return this.options.oidcIssuer;
  }

  /** Keeps credentials another activity already obtained (verification), sparing the next activity an AssumeRole. */
  remember(access: CustomerAccess, credentials: AwsCredentialIdentity): CustomerClients {
    const session = {
      expiresAt: credentials.expiration?.getTime() ?? this.now() + 15 * 60_000,
      clients: this.aws.customer(credentials, access.region),
      access,
    };
    const key = sessionKeyOf(access);
    this.sessions.delete(key);
    this.sessions.set(key, session);
    for (const oldest of this.sessions.keys()) {
      if (this.sessions.size <= this.maxSessions) break;
      this.sessions.delete(oldest);
    }
    return session.clients;
  }

  private async lookUp(ref: CustomerAccessRef): Promise<CustomerAccess> {
    const access = await this.lookUpAccess(ref);
    if (!access) {
      throw ApplicationFailure.nonRetryable(
        `Install ${ref.installId} does not act as the role ${ref.role} (fingerprint) any more.`,
        'CustomerAccessUnknown',
      );
    }
    return access;
  }
}
