import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ApplicationFailure } from '@temporalio/common';
import { assumedRoleArnPrefix, parseRoleArn } from '../domain/arn';
import type { CustomerAccess } from '../domain/customer-access';
import { roleSessionName } from '../domain/install-names';
import { accessDeniedCodes, toCredentialIdentity } from './aws/customer-session';
import { awsErrorCode, callAws, rethrowAwsError } from './aws/errors';
import type { ActivityDeps } from './deps';

// As prepareOnboarding's: 192 bits from the CSPRNG, hex, inside the External ID alphabet.
const externalIdBytes = 24;

export function createExternalIdRotationActivities(deps: ActivityDeps) {
  return {
    /** A rotation's new External ID, made here and not in the workflow, where randomness is deterministic by design. */
    async createExternalId(_input: { installId: string }): Promise<{ externalId: string }> {
      return { externalId: Buffer.from(deps.randomBytes(externalIdBytes)).toString('hex') };
    },

    /**
     * AssumeRole with one External ID of a rotation: `accepted` (and the session proves to be the role, in its
     * account) or `refused` by the role; anything else is classified and thrown, for Temporal's retry. An accepted
     * new ID's session is kept (`keepSession`), keyed by its generation, so the switch needs no second AssumeRole.
     */
    async tryExternalId(input: {
      access: CustomerAccess;
      keepSession?: boolean;
    }): Promise<{ outcome: 'accepted' | 'refused' }> {
      const { access } = input;
      const parsed = parseRoleArn(access.roleArn);
      if (!parsed.ok) throw ApplicationFailure.nonRetryable(parsed.problem.message, 'MalformedRoleArn');
      let credentials;
      try {
        const response = await deps.aws.vendorSts().send(
          new AssumeRoleCommand({
            RoleArn: access.roleArn,
            ExternalId: access.externalId,
            RoleSessionName: roleSessionName(access.installId, input.keepSession ? 'orchestrator' : 'probe'),
          }),
        );
        credentials = toCredentialIdentity(response.Credentials);
      } catch (error) {
        const code = awsErrorCode(error);
        if (code && accessDeniedCodes.has(code)) return { outcome: 'refused' };
        rethrowAwsError(error, 'sts:AssumeRole');
      }
      if (!input.keepSession) return { outcome: 'accepted' };
      const { sts } = deps.sessions.remember(access, credentials);
      const identity = await callAws('sts:GetCallerIdentity', () => sts.send(new GetCallerIdentityCommand({})));
      if (identity.Account !== parsed.role.accountId || !identity.Arn?.startsWith(assumedRoleArnPrefix(parsed.role))) {
        throw ApplicationFailure.nonRetryable(
          `The session is ${identity.Arn} in account ${identity.Account}, not the role ${access.roleArn}.`,
          'IdentityMismatch',
        );
      }
      return { outcome: 'accepted' };
    },
  };
}
