import { partitionOfRegion } from './arn';
import { roleCallbackConditions, roleCallbackParameters, roleCallbackResources } from './role-callback-template';
import { installResourceNames, isValidInstallId } from './install-names';
import { builtInPermissionSet, provisionPermissionsAt } from './permission-versions';
import { deprovisionPermissions, ownRoleResources, renderPermissionPolicy } from './permissions';
import type { PolicyDocument } from './policy-document';
import { renderTrustPolicy } from './trust-policy';

/**
 * An organization install: one management-account role the vendor assumes, a service-managed StackSet that puts the
 * member install role in every account of the chosen OUs, and one ordinary install per member account. Names here
 * are pure, so the workflow bundle and the activities derive the same.
 */

/** A member's install id is `<organization install id>-<account id>`: 40 characters at most, and no hashed prefix. */
export const maxOrganizationInstallIdLength = 23;

export const organizationInstallBounds = {
  /** OUs the StackSet targets (AWS takes more; one organization install rarely needs more than a few). */
  maxOrganizationalUnits: 20,
  /** Accounts kept as member installs; more is refused rather than silently cut. */
  maxAccounts: 200,
  /** OUs read below the chosen ones when listing members (nested OUs are targets too). */
  maxOrganizationalUnitsRead: 100,
  failureTolerancePercentage: { min: 0, max: 100, default: 10 },
  /** The re-sync interval: Prowler's 6 hours by default, between 1 minute and 7 days. */
  resyncInterval: { default: '6 hours', minMs: 60_000, maxMs: 7 * 24 * 3_600_000 },
} as const;

const ouIdPattern = /^ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$/;
const rootIdPattern = /^r-[a-z0-9]{4,32}$/;

export function isValidOrganizationInstallId(id: string): boolean {
  return id.length <= maxOrganizationInstallIdLength && isValidInstallId(id);
}

/** An OU or root id as Organizations writes them (no regex backtracking: both patterns are linear). */
export function isValidOrganizationalUnitId(id: string): boolean {
  return id.length <= 68 && (ouIdPattern.test(id) || rootIdPattern.test(id));
}

export function memberInstallId(organizationInstallId: string, accountId: string): string {
  return `${organizationInstallId}-${accountId}`;
}

export function managementRoleName(organizationInstallId: string): string {
  return `install-${organizationInstallId}-management`;
}

/** The same name in every member account, so the vendor knows each member's role ARN without a paste. */
export function memberRoleName(organizationInstallId: string): string {
  return `install-${organizationInstallId}-member`;
}

export function memberStackSetName(organizationInstallId: string): string {
  return `install-${organizationInstallId}-members`;
}

export function memberRoleArn(organizationInstallId: string, accountId: string, region: string): string {
  return `arn:${partitionOfRegion(region)}:iam::${accountId}:role/${memberRoleName(organizationInstallId)}`;
}

/** What the vendor does as the management role: read the organization, run the members' StackSet. Nothing else. */
export function renderManagementPolicy(options: {
  organizationInstallId: string;
  managementAccountId: string;
  region: string;
}): PolicyDocument {
  const p = partitionOfRegion(options.region);
  const account = options.managementAccountId;
  const stackSet = memberStackSetName(options.organizationInstallId);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadOrganization',
        Effect: 'Allow',
        Action: [
          'organizations:DescribeOrganization',
          'organizations:ListAccountsForParent',
          'organizations:ListChildren',
          'organizations:ListOrganizationalUnitsForParent',
        ],
        Resource: '*',
      },
      {
        // CreateStackSet takes no resource but "*" (the Service Authorization Reference lists no resource type for
        // it): scoped to the StackSet's ARN, AWS refuses it. A StackSet made by this grant deploys nothing by itself:
        // its instances come from CreateStackInstances, which is scoped to ours alone.
        Sid: 'CreateMemberStackSet',
        Effect: 'Allow',
        Action: 'cloudformation:CreateStackSet',
        Resource: '*',
      },
      {
        Sid: 'RunMemberStackSet',
        Effect: 'Allow',
        Action: [
          'cloudformation:DescribeStackSet',
          'cloudformation:CreateStackInstances',
          'cloudformation:DeleteStackInstances',
          'cloudformation:ListStackInstances',
          'cloudformation:DescribeStackSetOperation',
          'cloudformation:DeleteStackSet',
        ],
        Resource: [
          `arn:${p}:cloudformation:*:${account}:stackset/${stackSet}:*`,
          `arn:${p}:cloudformation:*:${account}:stackset-target/${stackSet}:*`,
          `arn:${p}:cloudformation:*::type/resource/AWS-IAM-Role`,
        ],
      },
    ],
  };
}

/** The management account's template: the role the vendor assumes there, with the organization's External ID. */
export function renderManagementRoleTemplate(options: {
  organizationInstallId: string;
  managementAccountId: string;
  region: string;
  vendorPrincipalArn: string;
}): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'Role that lets the vendor read this organization and run the StackSet of its member install role. ' +
      'Needs trusted access for CloudFormation StackSets in AWS Organizations.',
    Parameters: {
      ExternalId: { Type: 'String', NoEcho: true, MinLength: 2, MaxLength: 1224 },
      ...roleCallbackParameters,
    },
    Conditions: roleCallbackConditions,
    Resources: {
      ManagementRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: managementRoleName(options.organizationInstallId),
          AssumeRolePolicyDocument: externalIdReference(renderTrustPolicy(options.vendorPrincipalArn, placeholder)),
          Policies: [{ PolicyName: 'organization-install', PolicyDocument: renderManagementPolicy(options) }],
        },
      },
      ...roleCallbackResources({
        roleLogicalId: 'ManagementRole',
        customResourceType: 'Custom::ManagementRoleCallback',
        description: 'Reports the management role ARN to the vendor once, so nobody has to paste it.',
      }),
    },
    Outputs: { RoleArn: { Value: { 'Fn::GetAtt': ['ManagementRole', 'Arn'] } } },
  };
}

const placeholder = '{{ExternalId}}';
// Rendered with this account id, then each string holding it becomes Fn::Sub of AWS::AccountId: one template for all.
const accountSentinel = '000000000000';

/**
 * The StackSet's template: in each member account, the install role of that account's member install, trusting the
 * vendor with the organization's External ID, its policies scoped to that member's names as a single install's are.
 */
export function renderMemberRoleTemplate(options: {
  organizationInstallId: string;
  region: string;
  vendorPrincipalArn: string;
}): Record<string, unknown> {
  const names = installResourceNames({
    installId: memberInstallId(options.organizationInstallId, accountSentinel),
    awsAccountId: accountSentinel,
    region: options.region,
  });
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'The install role of one member account of an organization install.',
    Parameters: { ExternalId: { Type: 'String', NoEcho: true, MinLength: 2, MaxLength: 1224 } },
    Resources: {
      MemberRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: memberRoleName(options.organizationInstallId),
          AssumeRolePolicyDocument: externalIdReference(renderTrustPolicy(options.vendorPrincipalArn, placeholder)),
          Policies: [
            {
              PolicyName: 'provision',
              // The newest version in code, reading only the member role itself, as a single install's kit.
              PolicyDocument: perAccount(
                renderPermissionPolicy(
                  provisionPermissionsAt(
                    names,
                    builtInPermissionSet,
                    builtInPermissionSet.current,
                    ownRoleResources(names, memberRoleName(options.organizationInstallId)),
                  ),
                ),
              ),
            },
            {
              PolicyName: 'deprovision',
              PolicyDocument: perAccount(renderPermissionPolicy(deprovisionPermissions(names))),
            },
          ],
        },
      },
    },
  };
}

function externalIdReference<T>(document: T): T {
  return JSON.parse(JSON.stringify(document).replace(`"${placeholder}"`, JSON.stringify({ Ref: 'ExternalId' }))) as T;
}

function perAccount(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.includes(accountSentinel)
      ? { 'Fn::Sub': value.split(accountSentinel).join('${AWS::AccountId}') }
      : value;
  }
  if (Array.isArray(value)) return value.map(perAccount);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, perAccount(item)]));
  }
  return value;
}

/** The AWS CLI commands that do what the management template does, for customers who do not use the console. */
export function renderManagementCli(options: {
  organizationInstallId: string;
  managementAccountId: string;
  region: string;
  vendorPrincipalArn: string;
  externalId: string;
}): string {
  const role = managementRoleName(options.organizationInstallId);
  const trust = JSON.stringify(renderTrustPolicy(options.vendorPrincipalArn, options.externalId));
  const policy = JSON.stringify(renderManagementPolicy(options));
  return [
    'aws organizations enable-aws-service-access --service-principal member.org.stacksets.cloudformation.amazonaws.com',
    `aws iam create-role --role-name ${role} --assume-role-policy-document '${trust}'`,
    `aws iam put-role-policy --role-name ${role} --policy-name organization-install --policy-document '${policy}'`,
  ].join('\n');
}

/**
 * The AWS CLI that creates the management role as a stack from the kit's template (saved as
 * `management-role-template.json`), with the callback's URL and token: the stack then reports the role's ARN itself.
 */
export function renderManagementStackCli(options: {
  organizationInstallId: string;
  externalId: string;
  callbackUrl: string;
  callbackToken: string;
}): string {
  const parameters = [
    ['ExternalId', options.externalId],
    ['CallbackUrl', options.callbackUrl],
    ['CallbackToken', options.callbackToken],
  ].map(([key, value]) => `ParameterKey=${key},ParameterValue='${value}'`);
  return [
    'aws organizations enable-aws-service-access --service-principal member.org.stacksets.cloudformation.amazonaws.com',
    `aws cloudformation create-stack --stack-name ${managementRoleName(options.organizationInstallId)} \\`,
    '  --template-body file://management-role-template.json --capabilities CAPABILITY_NAMED_IAM \\',
    `  --parameters ${parameters.join(' ')}`,
  ].join('\n');
}

/** The StackSet's template as CloudFormation takes it. */
export function memberRoleTemplateBody(options: Parameters<typeof renderMemberRoleTemplate>[0]): string {
  return JSON.stringify(renderMemberRoleTemplate(options));
}
