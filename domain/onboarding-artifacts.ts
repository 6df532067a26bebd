import { installResourceNames, roleStackName, suggestedRoleName, type InstallResourceInput } from './install-names';
import {
  deprovisionPermissions,
  ownRoleResources,
  renderPermissionPolicy,
  type RequiredPermission,
} from './permissions';
import { builtInPermissionSet, provisionPermissionsAt } from './permission-versions';
import type { PolicyDocument } from './policy-document';
import { roleCallbackConditions, roleCallbackParameters, roleCallbackResources } from './role-callback-template';
import { renderRotationTrustPolicy, renderTrustPolicy } from './trust-policy';
import { oidcProviderSpec, oidcRoleTemplate, type OidcProviderSpec } from './oidc-kit';
import { renderOidcTrustPolicy } from './oidc-trust';

/** What the customer needs to create the role: everything is derived, so nothing large is kept in history. */
export interface OnboardingArtifacts {
  externalId: string;
  vendorPrincipalArn: string;
  roleName: string;
  /** The CloudFormation stack the quick-create link names: what a stack update of the role updates. */
  roleStackName: string;
  trustPolicy: PolicyDocument;
  provisionPolicy: PolicyDocument;
  deprovisionPolicy: PolicyDocument;
  /** The managed policy the kit sets as the role's permissions boundary, when the install names one. */
  permissionsBoundary?: string;
  roleTemplate: Record<string, unknown>;
  /**
   * Opens the CloudFormation console with the role template and the External ID filled in, and, while the install
   * has an open callback, its URL and token, so the stack reports the role ARN itself.
   */
  quickCreateUrl: string;
  callbackUrl?: string;
  /** OIDC trust mode: the IAM OIDC provider the role trusts, and this install's token subject. */
  oidcProvider?: OidcProviderSpec;
  /**
   * While an External ID rotation waits for the customer to accept the new ID: that ID. The trust policy, the role
   * template (a stack update) and the kit's scripts then accept it beside `externalId`, the one in use.
   */
  newExternalId?: string;
}

/** Where the role template's custom resource posts the role ARN: next to the template on the vendor's API. */
export function onboardingCallbackUrl(roleTemplateUrl: string): string {
  return roleTemplateUrl.replace(/role-template\.json$/, 'callback');
}

export function renderRoleTemplate(options: {
  roleName: string;
  vendorPrincipalArn: string;
  provisionPolicy: PolicyDocument;
  deprovisionPolicy: PolicyDocument;
  permissionsBoundary?: string;
  /** A rotation's template: a second parameter, NewExternalId, accepted beside ExternalId (a stack update). */
  rotating?: boolean;
}): Record<string, unknown> {
  const rotation = options.rotating
    ? {
        NewExternalId: {
          Type: 'String',
          NoEcho: true,
          MinLength: 2,
          MaxLength: 1224,
          Description: 'The new External ID of a rotation: the role accepts both until the old one is dropped.',
        },
      }
    : {};
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'Cross-account role that lets the vendor provision and deprovision this install.',
    Parameters: {
      ExternalId: {
        Type: 'String',
        NoEcho: true,
        MinLength: 2,
        MaxLength: 1224,
        Description: 'The External ID shown on the onboarding page; the role refuses callers without it.',
      },
      ...rotation,
      ...roleCallbackParameters,
    },
    Conditions: roleCallbackConditions,
    Resources: {
      InstallAccessRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: options.roleName,
          ...(options.permissionsBoundary ? { PermissionsBoundary: options.permissionsBoundary } : {}),
          AssumeRolePolicyDocument: options.rotating
            ? renderRotationTrustPolicy(options.vendorPrincipalArn, ['{{ExternalId}}', '{{NewExternalId}}'])
            : renderTrustPolicy(options.vendorPrincipalArn, '{{ExternalId}}'),
          Policies: [
            { PolicyName: 'provision', PolicyDocument: options.provisionPolicy },
            { PolicyName: 'deprovision', PolicyDocument: options.deprovisionPolicy },
          ],
        },
      },
      ...roleCallbackResources({
        roleLogicalId: 'InstallAccessRole',
        customResourceType: 'Custom::InstallRoleCallback',
        description: 'Reports the install access role ARN to the vendor once, so nobody has to paste it.',
      }),
    },
    Outputs: { RoleArn: { Value: { 'Fn::GetAtt': ['InstallAccessRole', 'Arn'] } } },
  };
}

/** The template names the parameter where CloudFormation needs a `Ref`, so the JSON stays one literal. */
function withExternalIdReference(template: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(template)
      .replace('"{{ExternalId}}"', JSON.stringify({ Ref: 'ExternalId' }))
      .replace('"{{NewExternalId}}"', JSON.stringify({ Ref: 'NewExternalId' })),
  ) as Record<string, unknown>;
}

/** The AWS console's host in a partition. */
export function cloudFormationConsoleHost(partition: string): string {
  return partition === 'aws'
    ? 'console.aws.amazon.com'
    : `console.${partition === 'aws-cn' ? 'amazonaws.cn' : 'amazonaws-us-gov.com'}`;
}

export function renderOnboardingArtifacts(options: {
  install: InstallResourceInput;
  externalId: string;
  vendorPrincipalArn: string;
  roleTemplateUrl: string;
  /** The open callback's token, when the install has one: the link then fills in the callback parameters. */
  callbackToken?: string;
  /** A managed policy ARN the role gets as its permissions boundary (checked by permissionsBoundaryProblem). */
  permissionsBoundary?: string;
  /**
   * The provision permissions of the permission set's version to render (domain/permission-versions.ts, with the
   * kit's role as its own role); the newest version in code by default.
   */
  provision?: RequiredPermission[];
  /** OIDC trust mode: the issuer URL the provider names, and the subject the role pins. */
  oidc?: { issuerUrl: string; subject: string };
  /** A rotation's new External ID while the role must accept both (`awaiting_trust_update`). */
  newExternalId?: string;
}): OnboardingArtifacts {
  const { newExternalId } = options;
  const names = installResourceNames(options.install);
  const roleName = suggestedRoleName(options.install.installId);
  const provisionPolicy = renderPermissionPolicy(
    options.provision ??
      provisionPermissionsAt(
        names,
        builtInPermissionSet,
        builtInPermissionSet.current,
        ownRoleResources(names, roleName),
      ),
  );
  const deprovisionPolicy = renderPermissionPolicy(deprovisionPermissions(names));
  const oidcProvider =
    options.oidc &&
    oidcProviderSpec(options.install.awsAccountId, names.partition, options.oidc.issuerUrl, options.oidc.subject);
  const template = renderRoleTemplate({
    roleName,
    vendorPrincipalArn: options.vendorPrincipalArn,
    provisionPolicy,
    deprovisionPolicy,
    permissionsBoundary: options.permissionsBoundary,
    rotating: newExternalId !== undefined,
  });
  const roleTemplate = oidcProvider ? oidcRoleTemplate(template, oidcProvider) : withExternalIdReference(template);
  const query = Object.entries({
    templateURL: options.roleTemplateUrl,
    stackName: roleStackName(options.install.installId),
    ...(oidcProvider ? {} : { param_ExternalId: options.externalId }),
    ...(options.callbackToken
      ? {
          param_CallbackUrl: onboardingCallbackUrl(options.roleTemplateUrl),
          param_CallbackToken: options.callbackToken,
        }
      : {}),
  })
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
  const consoleHost = cloudFormationConsoleHost(names.partition);
  return {
    externalId: options.externalId,
    vendorPrincipalArn: options.vendorPrincipalArn,
    roleName,
    roleStackName: roleStackName(options.install.installId),
    trustPolicy: oidcProvider
      ? renderOidcTrustPolicy(oidcProvider.arn, oidcProvider.url, oidcProvider.subject)
      : newExternalId
        ? renderRotationTrustPolicy(options.vendorPrincipalArn, [options.externalId, newExternalId])
        : renderTrustPolicy(options.vendorPrincipalArn, options.externalId),
    provisionPolicy,
    deprovisionPolicy,
    ...(options.permissionsBoundary ? { permissionsBoundary: options.permissionsBoundary } : {}),
    roleTemplate,
    quickCreateUrl: `https://${consoleHost}/cloudformation/home?region=${options.install.region}#/stacks/quickcreate?${query}`,
    ...(options.callbackToken ? { callbackUrl: onboardingCallbackUrl(options.roleTemplateUrl) } : {}),
    ...(oidcProvider ? { oidcProvider } : {}),
    ...(newExternalId ? { newExternalId } : {}),
  };
}
