import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import type { OnboardingArtifacts } from '../domain/onboarding-artifacts';

/**
 * The customer's part of onboarding, as the role template would do it: create the role with the rendered trust
 * policy and attach the provision and deprovision policies. Used by the demo and the tests.
 */
export async function createRoleFromArtifacts(options: {
  endpoint: string;
  credentials: AwsCredentialIdentity;
  artifacts: OnboardingArtifacts;
  roleName?: string;
  /** An IAM path such as /team/, which then appears in the role ARN. */
  path?: string;
  trustPolicy?: unknown;
  withPolicies?: boolean;
  /** A boundary other than the kit's; '' for none even when the kit names one. */
  permissionsBoundary?: string;
}): Promise<string> {
  const iam = new IAMClient({ region: 'us-east-1', endpoint: options.endpoint, credentials: options.credentials });
  const roleName = options.roleName ?? options.artifacts.roleName;
  const provider = options.artifacts.oidcProvider;
  if (provider) {
    // As the kit's CLI script does: one provider per issuer per account, kept when another install made it.
    try {
      await iam.send(new CreateOpenIDConnectProviderCommand({ Url: provider.url, ClientIDList: provider.clientIds }));
    } catch (error) {
      if (!/^EntityAlreadyExists/.test((error as Error).name)) throw error;
    }
  }
  const role = await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      Path: options.path,
      // As the kit does (PermissionsBoundary, --permissions-boundary, permissions_boundary), when the install names one.
      PermissionsBoundary: (options.permissionsBoundary ?? options.artifacts.permissionsBoundary) || undefined,
      AssumeRolePolicyDocument: JSON.stringify(options.trustPolicy ?? options.artifacts.trustPolicy),
    }),
  );
  if (options.withPolicies ?? true) {
    const policies = { provision: options.artifacts.provisionPolicy, deprovision: options.artifacts.deprovisionPolicy };
    for (const [name, policy] of Object.entries(policies)) {
      await iam.send(
        new PutRolePolicyCommand({ RoleName: roleName, PolicyName: name, PolicyDocument: JSON.stringify(policy) }),
      );
    }
  }
  return role.Role!.Arn!;
}
