import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import type { LocalAccount } from '../devstack/local-accounts';
import { buildRunnerIdentityProof } from '../client/runner-identity-proof';
import type { RunnerIdentityProof } from '../domain/runner-identity';
import { customerAccount, stack } from './helpers';

/** A session of `roleArn`, assumed by the account's administrator (the sandbox's runner role trusts its account). */
export async function runnerSession(
  roleArn: string,
  account: LocalAccount = customerAccount,
): Promise<AwsCredentialIdentity> {
  const sts = new STSClient({ region: 'us-east-1', endpoint: stack.awsEndpoint, credentials: account.credentials });
  try {
    const { Credentials: session } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'runner-test' }),
    );
    return {
      accessKeyId: session!.AccessKeyId!,
      secretAccessKey: session!.SecretAccessKey!,
      sessionToken: session!.SessionToken!,
    };
  } finally {
    sts.destroy();
  }
}

/** The proof a runner running as `roleArn` (by default the install's runner role) sends with its check-in. */
export async function runnerProof(
  installId: string,
  roleArn: string,
  options: {
    account?: LocalAccount;
    credentials?: AwsCredentialIdentity;
    /** Where the proof is addressed; the local STS by default. */
    endpoint?: string;
    /** Signs as if the clock were this far off: a negative offset makes a proof from the past, as a replay is. */
    clockOffsetMs?: number;
  } = {},
): Promise<RunnerIdentityProof> {
  const credentials = options.credentials ?? (await runnerSession(roleArn, options.account));
  return buildRunnerIdentityProof(installId, {
    region: 'us-east-1',
    endpoint: options.endpoint ?? stack.awsEndpoint,
    credentials,
    systemClockOffset: options.clockOffsetMs ?? 0,
  });
}
