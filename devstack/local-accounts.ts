import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { enforceIamInMoto } from './moto';

/** moto's default account plays the vendor. */
export const vendorAccountId = '123456789012';
/** Customer accounts: the first is where installs go, the second is "some other account" for negative tests. */
export const customerAccountIds = ['111111111111', '222222222222'] as const;

export interface LocalAccount {
  accountId: string;
  principalArn: string;
  credentials: AwsCredentialIdentity;
}

export interface LocalAccounts {
  vendor: LocalAccount;
  customers: LocalAccount[];
}

const region = 'us-east-1';
// Before enforcement moto ignores signatures, but the SDK still needs something to sign with.
const unenforcedCredentials = { accessKeyId: 'bootstrap', secretAccessKey: 'bootstrap' };

async function createUserWithKey(
  iam: IAMClient,
  accountId: string,
  userName: string,
  policy: Record<string, unknown>,
): Promise<LocalAccount> {
  await iam.send(new CreateUserCommand({ UserName: userName }));
  await iam.send(
    new PutUserPolicyCommand({ UserName: userName, PolicyName: 'local-stack', PolicyDocument: JSON.stringify(policy) }),
  );
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return {
    accountId,
    principalArn: `arn:aws:iam::${accountId}:user/${userName}`,
    credentials: { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! },
  };
}

/**
 * Gives a fresh moto a vendor identity that may only assume roles, and an administrator in each customer account
 * (the person who creates the role), then turns on IAM enforcement so trust policies and External IDs count.
 */
export async function bootstrapLocalAccounts(endpoint: string): Promise<LocalAccounts> {
  const iam = new IAMClient({ region, endpoint, credentials: unenforcedCredentials });
  const vendor = await createUserWithKey(iam, vendorAccountId, 'install-orchestrator', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:GetCallerIdentity'], Resource: '*' }],
  });

  const customers: LocalAccount[] = [];
  for (const accountId of customerAccountIds) {
    // moto files requests under the account of the credentials; assuming any role there yields such credentials.
    const sts = new STSClient({ region, endpoint, credentials: unenforcedCredentials });
    const session = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/bootstrap`, RoleSessionName: 'bootstrap' }),
    );
    const customerIam = new IAMClient({
      region,
      endpoint,
      credentials: {
        accessKeyId: session.Credentials!.AccessKeyId!,
        secretAccessKey: session.Credentials!.SecretAccessKey!,
        sessionToken: session.Credentials!.SessionToken,
      },
    });
    customers.push(
      await createUserWithKey(customerIam, accountId, 'customer-admin', {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    );
  }
  await enforceIamInMoto(endpoint);
  return { vendor, customers };
}
