import { installResourceNames, roleStackName, type InstallResourceInput } from './install-names';
import { cloudFormationConsoleHost } from './onboarding-artifacts';
import { shellQuote } from './onboarding-kit';
import { ownRoleResources, renderPermissionPolicy } from './permissions';
import { permissionsAddedAfter, provisionPermissionsAt, versionNotes, type PermissionSet } from './permission-versions';
import type { PolicyDocument } from './policy-document';

/** What a customer needs to grant a newer version's actions: the same role, three ways, as the onboarding kit. */
export interface PermissionUpgradeKit {
  fromVersion: number;
  toVersion: number;
  /** Why the vendor needs them, one line per version. */
  notes: string[];
  /** What the new version adds, `action on resource`. */
  addedActions: string[];
  /** The whole provision policy of the new version, to replace the role's `provision` policy with. */
  provisionPolicy: PolicyDocument;
  /**
   * Opens the role's CloudFormation stack (the onboarding quick-create stack) for an update with the role template,
   * which the API renders at the new version. The console's update path is not a documented contract; the CLI's
   * `update-stack` in `cli` is.
   */
  stackUpdateUrl: string;
  /** AWS CLI: update the role's stack, or (a role made without the stack) replace its provision policy. */
  cli: string;
  /** Terraform: the role's provision policy at the new version. */
  terraform: string;
}

export function renderPermissionUpgradeKit(options: {
  install: InstallResourceInput;
  set: PermissionSet;
  fromVersion: number;
  toVersion?: number;
  roleName: string;
  roleTemplateUrl: string;
}): PermissionUpgradeKit {
  const { set, fromVersion } = options;
  const toVersion = Math.min(options.toVersion ?? set.current, set.current);
  const names = installResourceNames(options.install);
  const provisionPolicy = renderPermissionPolicy(
    provisionPermissionsAt(names, set, toVersion, ownRoleResources(names, options.roleName)),
  );
  const stackName = roleStackName(options.install.installId);
  const query = [
    `stackId=${encodeURIComponent(stackName)}`,
    `templateURL=${encodeURIComponent(options.roleTemplateUrl)}`,
  ];
  const keep = ['ExternalId', 'CallbackUrl', 'CallbackToken']
    .map((key) => `ParameterKey=${key},UsePreviousValue=true`)
    .join(' ');
  const cli = [
    '#!/usr/bin/env bash',
    `# Grants what version ${toVersion} of the vendor's permissions adds to the install access role (administrator credentials).`,
    'set -euo pipefail',
    '# A role made with the onboarding stack: update the stack to the role template, keeping its parameters.',
    `aws cloudformation update-stack --region ${options.install.region} --stack-name ${stackName} --template-url ${shellQuote(options.roleTemplateUrl)} --parameters ${keep} --capabilities CAPABILITY_NAMED_IAM`,
    `aws cloudformation wait stack-update-complete --region ${options.install.region} --stack-name ${stackName}`,
    '# A role made with the AWS CLI or Terraform: replace its provision policy instead (and skip the two lines above).',
    `# aws iam put-role-policy --role-name ${options.roleName} --policy-name provision --policy-document ${shellQuote(JSON.stringify(provisionPolicy))}`,
    '',
  ].join('\n');
  const terraform = [
    `resource "aws_iam_role_policy" "provision" {`,
    `  role   = ${JSON.stringify(options.roleName)}`,
    `  name   = "provision"`,
    `  policy = jsonencode(${JSON.stringify(provisionPolicy)})`,
    `}`,
    '',
  ].join('\n');
  return {
    fromVersion,
    toVersion,
    notes: versionNotes(set, fromVersion, toVersion),
    addedActions: permissionsAddedAfter(names, set, fromVersion, toVersion).map(
      (permission) => `${permission.action} on ${permission.resource}`,
    ),
    provisionPolicy,
    stackUpdateUrl: `https://${cloudFormationConsoleHost(names.partition)}/cloudformation/home?region=${options.install.region}#/stacks/update/template?${query.join('&')}`,
    cli,
    terraform,
  };
}
