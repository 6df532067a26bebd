import type { OnboardingArtifacts } from './onboarding-artifacts';

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The kit's two ways to change the trust policy of a role that exists (an External ID rotation, or a policy that
 * drifted): IAM's update-assume-role-policy, and a CloudFormation stack update for a role made by the quick-create
 * link. While a rotation waits for the new ID, both make the role accept it beside the one in use; afterwards they
 * make it accept the new one alone. Terraform users apply the kit's install-access-role.tf, which renders the same
 * trust policy.
 */
export function renderTrustUpdateScripts(artifacts: OnboardingArtifacts) {
  const iam = [
    '#!/usr/bin/env bash',
    "# Sets the install access role's trust policy to the onboarding kit's (run with administrator credentials).",
    'set -euo pipefail',
    `aws iam update-assume-role-policy --role-name ${artifacts.roleName} --policy-document ${shellQuote(JSON.stringify(artifacts.trustPolicy))}`,
    '',
  ].join('\n');
  const parameters = [
    `ParameterKey=ExternalId,ParameterValue=${artifacts.externalId}`,
    ...(artifacts.newExternalId ? [`ParameterKey=NewExternalId,ParameterValue=${artifacts.newExternalId}`] : []),
    'ParameterKey=CallbackUrl,UsePreviousValue=true',
    'ParameterKey=CallbackToken,UsePreviousValue=true',
  ];
  const stack = [
    '#!/usr/bin/env bash',
    "# Updates the role stack made by the quick-create link to the kit's role-template.json (saved beside this script).",
    'set -euo pipefail',
    `aws cloudformation update-stack --stack-name ${artifacts.roleStackName} --template-body file://role-template.json \\`,
    `  --capabilities CAPABILITY_NAMED_IAM --parameters ${parameters.map(shellQuote).join(' ')}`,
    `aws cloudformation wait stack-update-complete --stack-name ${artifacts.roleStackName}`,
    '',
  ].join('\n');
  return [
    { name: 'update-trust-policy.sh' as const, contentType: 'text/x-shellscript', body: iam },
    { name: 'update-role-stack.sh' as const, contentType: 'text/x-shellscript', body: stack },
  ];
}
