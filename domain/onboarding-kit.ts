import type { OnboardingArtifacts } from './onboarding-artifacts';
import { oidcProviderCliLines, oidcProviderTerraform } from './oidc-kit';
import { renderTrustUpdateScripts } from './external-id-rotation-kit';

/** The kit's files, by name: the API's download route takes exactly these. */
export const onboardingKitFileNames = [
  'trust-policy.json',
  'provision-policy.json',
  'deprovision-policy.json',
  'role-template.json',
  'create-role.sh',
  'install-access-role.tf',
  'update-trust-policy.sh',
  'update-role-stack.sh',
] as const;

/** A file of the onboarding kit, as the API serves it for download. */
export interface KitFile {
  name: (typeof onboardingKitFileNames)[number];
  contentType: string;
  body: string;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The same role, three ways: the CloudFormation template, AWS CLI commands, and Terraform. */
/** The role resource of Terraform `lines` with the permissions boundary set, when the install names one. */
function withBoundary(lines: string[], permissionsBoundary: string | undefined): string[] {
  if (!permissionsBoundary) return lines;
  const role = lines.indexOf(`resource "aws_iam_role" "install_access" {`);
  const end = lines.indexOf('}', role);
  return [
    ...lines.slice(0, end),
    `  permissions_boundary = ${JSON.stringify(permissionsBoundary)}`,
    ...lines.slice(end),
  ];
}

export function renderOnboardingKit(artifacts: OnboardingArtifacts): KitFile[] {
  const role = artifacts.roleName;
  const provider = artifacts.oidcProvider;
  const cli = [
    '#!/usr/bin/env bash',
    '# Creates the install access role in the current AWS account (run with administrator credentials).',
    'set -euo pipefail',
    ...(provider ? oidcProviderCliLines(provider) : []),
    `aws iam create-role --role-name ${role} --assume-role-policy-document ${shellQuote(JSON.stringify(artifacts.trustPolicy))}` +
      (artifacts.permissionsBoundary ? ` --permissions-boundary ${shellQuote(artifacts.permissionsBoundary)}` : ''),
    `aws iam put-role-policy --role-name ${role} --policy-name provision --policy-document ${shellQuote(JSON.stringify(artifacts.provisionPolicy))}`,
    `aws iam put-role-policy --role-name ${role} --policy-name deprovision --policy-document ${shellQuote(JSON.stringify(artifacts.deprovisionPolicy))}`,
    `aws iam get-role --role-name ${role} --query Role.Arn --output text`,
    '',
  ].join('\n');
  const terraform = [
    ...withBoundary(
      provider
        ? oidcProviderTerraform(provider, artifacts.trustPolicy).map((line) =>
            line.replace('ROLE_NAME', JSON.stringify(role)),
          )
        : [
            `resource "aws_iam_role" "install_access" {`,
            `  name               = ${JSON.stringify(role)}`,
            `  assume_role_policy = jsonencode(${JSON.stringify(artifacts.trustPolicy)})`,
            `}`,
          ],
      artifacts.permissionsBoundary,
    ),
    ``,
    `resource "aws_iam_role_policy" "provision" {`,
    `  role   = aws_iam_role.install_access.id`,
    `  name   = "provision"`,
    `  policy = jsonencode(${JSON.stringify(artifacts.provisionPolicy)})`,
    `}`,
    ``,
    `resource "aws_iam_role_policy" "deprovision" {`,
    `  role   = aws_iam_role.install_access.id`,
    `  name   = "deprovision"`,
    `  policy = jsonencode(${JSON.stringify(artifacts.deprovisionPolicy)})`,
    `}`,
    ``,
    `output "role_arn" {`,
    `  value = aws_iam_role.install_access.arn`,
    `}`,
    '',
  ].join('\n');
  return [
    { name: 'trust-policy.json', contentType: 'application/json', body: json(artifacts.trustPolicy) },
    { name: 'provision-policy.json', contentType: 'application/json', body: json(artifacts.provisionPolicy) },
    { name: 'deprovision-policy.json', contentType: 'application/json', body: json(artifacts.deprovisionPolicy) },
    { name: 'role-template.json', contentType: 'application/json', body: json(artifacts.roleTemplate) },
    { name: 'create-role.sh', contentType: 'text/x-shellscript', body: cli },
    { name: 'install-access-role.tf', contentType: 'text/plain', body: terraform },
    ...renderTrustUpdateScripts(artifacts),
  ];
}
