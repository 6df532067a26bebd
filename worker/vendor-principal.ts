import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';

/**
 * The trust policy must name the role the vendor runs as, not one of its sessions: an assumed-role session ARN
 * (arn:aws:sts::1:assumed-role/Name/session) becomes arn:aws:iam::1:role/Name.
 */
export function principalFromCallerArn(callerArn: string): string {
  const match = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : callerArn;
}

export async function discoverVendorPrincipal(sts: STSClient): Promise<string> {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  if (!identity.Arn) throw new Error('GetCallerIdentity returned no ARN for the vendor identity');
  return principalFromCallerArn(identity.Arn);
}
