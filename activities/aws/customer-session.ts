import { AssumeRoleCommand, type Credentials } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { ApplicationFailure } from '@temporalio/common';
import type { CustomerAccess } from '../../domain/customer-access';
import { roleSessionName } from '../../domain/install-names';
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
}

/**
 * Assumed-role sessions, cached per process for their lifetime: credentials live only in worker memory and are
 * never returned to a workflow. Each worker process assumes the role on its own, so nothing assumes one machine.
 */
export class CustomerSessions {
  private readonly sessions = new Map<string, CachedSession>();
  private readonly now: () => number;

  constructor(
    private readonly aws: AwsClientFactory,
    private readonly options: CustomerSessionOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async clients(access: CustomerAccess): Promise<CustomerClients> {
    const key = `${access.roleArn}|${access.externalId}|${access.region}`;
    const cached = this.sessions.get(key);
    if (cached && cached.expiresAt - refreshMarginMs > this.now()) return cached.clients;

    try {
      return this.remember(access, await this.assumeRole(access));
    } catch (error) {
      const code = awsErrorCode(error);
      if (code && accessDeniedCodes.has(code)) {
        // The role worked before this step, so a refusal now means the customer changed or deleted it.
        throw ApplicationFailure.nonRetryable(
          `The role ${access.roleArn} can no longer be assumed: ${code}`,
          'RoleAccessLost',
          awsErrorDetails(error, 'sts:AssumeRole'),
        );
      }
      rethrowAwsError(error, 'sts:AssumeRole');
    }
  }

  /** AssumeRole as the vendor, with the External ID; AWS's errors reach the caller as they came, to classify. */
  async assumeRole(access: CustomerAccess): Promise<AwsCredentialIdentity> {
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

  /** Keeps credentials another activity already obtained (verification), sparing the next activity an AssumeRole. */
  remember(access: CustomerAccess, credentials: AwsCredentialIdentity): CustomerClients {
    const session = {
      expiresAt: credentials.expiration?.getTime() ?? this.now() + 15 * 60_000,
      clients: this.aws.customer(credentials, access.region),
    };
    this.sessions.set(`${access.roleArn}|${access.externalId}|${access.region}`, session);
    return session.clients;
  }
}
