import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { stack } from './helpers';

let vendorSts: STSClient | undefined;

/** AssumeRole as the vendor, with or without an External ID, as AWS (moto) answers it. */
export async function vendorAssumes(roleArn: string, externalId?: string): Promise<'allowed' | 'refused'> {
  vendorSts ??= new STSClient({
    region: 'us-east-1',
    endpoint: stack.awsEndpoint,
    credentials: stack.accounts.vendor.credentials,
  });
  try {
    await vendorSts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'vendor-test', ExternalId: externalId }),
    );
    return 'allowed';
  } catch (error) {
    if ((error as Error).name === 'AccessDenied') return 'refused';
    throw error;
  }
}
