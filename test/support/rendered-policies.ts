import {
  mergeCurStatements,
  renderCurBucketPolicyStatements,
  curBucketPolicySidPrefix,
} from '../../domain/cost-report';
import {
  includesDataExport,
  includesLegacyReport,
  renderDataExportBucketPolicyStatements,
  type CostReportKind,
} from '../../domain/data-export';
import { installResourceNames, type InstallResourceInput } from '../../domain/install-names';
import { renderOnboardingArtifacts } from '../../domain/onboarding-artifacts';
import {
  memberInstallId,
  renderManagementRoleTemplate,
  renderMemberRoleTemplate,
} from '../../domain/organization-install';
import type { PolicyDocument } from '../../domain/policy-document';

/** One policy document the project renders, named by what it is and for which install. */
export interface RenderedPolicy {
  name: string;
  /**
   * `trust`: a role's trust policy, which IAM refuses with a Resource; `trust-as-resource`: the same with the role's
   * ARN as its Resource, so the linter checks its actions and condition keys too; `permissions`: a role's policy;
   * `bucket`: a bucket policy.
   */
  kind: 'trust' | 'trust-as-resource' | 'permissions' | 'bucket';
  document: PolicyDocument;
  /** The install's cost report bucket, which its permission policies may write a bucket policy on. */
  curBucketArn: string;
}

export const costReportKinds: CostReportKind[] = ['legacy', 'cur2', 'both'];

/**
 * Installs whose names stress the renders: a plain one, the shortest and longest ids, the legacy sandbox prefix,
 * the other partitions, and cost report names at their longest.
 */
export const lintedInstalls: Array<Omit<InstallResourceInput, 'cur'> & { cur?: InstallResourceInput['cur'] }> = [
  { installId: 'acme-prod', awsAccountId: '123456789012', region: 'eu-west-1' },
  { installId: 'a1b', awsAccountId: '000000000001', region: 'us-east-1' },
  { installId: `a${'b'.repeat(38)}c`, awsAccountId: '999999999999', region: 'ap-southeast-2' },
  { installId: 'old-install', awsAccountId: '123456789012', region: 'us-west-2', sandboxNaming: 'legacy' },
  { installId: 'china-1', awsAccountId: '123456789012', region: 'cn-north-1' },
  { installId: 'gov-1', awsAccountId: '123456789012', region: 'us-gov-west-1' },
  {
    installId: 'custom-cur',
    awsAccountId: '123456789012',
    region: 'eu-central-1',
    cur: {
      bucketName: `my.billing-${'x'.repeat(51)}`,
      prefix: `reports/${'p'.repeat(190)}`,
      reportName: `Report_${'r'.repeat(240)}`,
      exportName: `export-${'e'.repeat(120)}`,
    },
  },
];

/** Organization installs whose templates are linted: the shortest and longest ids, and the other partitions. */
export const lintedOrganizations: Array<{
  organizationInstallId: string;
  managementAccountId: string;
  region: string;
}> = [
  { organizationInstallId: 'acme', managementAccountId: '123456789012', region: 'eu-west-1' },
  { organizationInstallId: `o${'r'.repeat(21)}g`, managementAccountId: '999999999999', region: 'us-east-1' },
  { organizationInstallId: 'china-org', managementAccountId: '123456789012', region: 'cn-north-1' },
  { organizationInstallId: 'gov-org', managementAccountId: '123456789012', region: 'us-gov-west-1' },
];

/**
 * The trust modes and how each renders the policies that differ between them: the onboarding artifacts (trust,
 * provision and deprovision policies, the role template). A new mode adds an entry here and is linted like the others.
 */
export const trustModeRenders: Record<
  string,
  (install: InstallResourceInput) => ReturnType<typeof renderOnboardingArtifacts>
> = {
  'external-id': (install) =>
    renderOnboardingArtifacts({
      install,
      externalId: 'b1946ac92492d2347c6235b4d2611184b1946ac92492d234',
      vendorPrincipalArn: 'arn:aws:iam::111122223333:role/vendor-orchestrator',
      roleTemplateUrl: 'https://vendor.example.com/installs/x/onboarding/role-template.json',
      callbackToken: 'token',
    }),
  // No port in the issuer: IAM names its condition keys `<host>/<path>:aud|sub`, which the allow-list matches.
  oidc: (install) =>
    renderOnboardingArtifacts({
      install,
      externalId: 'b1946ac92492d2347c6235b4d2611184b1946ac92492d234',
      vendorPrincipalArn: 'arn:aws:iam::111122223333:role/vendor-orchestrator',
      roleTemplateUrl: 'https://vendor.example.com/installs/x/onboarding/role-template.json',
      oidc: { issuerUrl: 'https://issuer.vendor.example/oidc', subject: `install:acme:${install.installId}` },
    }),
  // An External ID rotation waiting for the customer: the trust policy and the stack update's template take both IDs.
  'external-id-rotation': (install) =>
    renderOnboardingArtifacts({
      install,
      externalId: 'b1946ac92492d2347c6235b4d2611184b1946ac92492d234',
      newExternalId: '5f0c6d2e3b7a4c1e9a8d2f4b6c8e0a1b5f0c6d2e3b7a4c1e',
      vendorPrincipalArn: 'arn:aws:iam::111122223333:role/vendor-orchestrator',
      roleTemplateUrl: 'https://vendor.example.com/installs/x/onboarding/role-template.json',
    }),
};

/** The policies of the role template's resources, found wherever the template holds one. */
export function templatePolicies(template: Record<string, unknown>): Array<{ path: string; document: PolicyDocument }> {
  const found: Array<{ path: string; document: PolicyDocument }> = [];
  const visit = (value: unknown, path: string) => {
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (typeof record.Version === 'string' && Array.isArray(record.Statement)) {
      found.push({ path, document: record as unknown as PolicyDocument });
      return;
    }
    for (const [key, child] of Object.entries(record)) visit(child, `${path}.${key}`);
  };
  visit(template.Resources, 'Resources');
  return found;
}

/** The bucket policy the cost report step writes on a bucket that had none. */
function curBucketPolicy(install: InstallResourceInput, kind: CostReportKind): PolicyDocument {
  const names = installResourceNames(install);
  const target = { partition: names.partition, accountId: names.accountId, bucket: names.curBucket };
  return mergeCurStatements(undefined, [
    ...(includesLegacyReport(kind) ? renderCurBucketPolicyStatements(target) : []),
    ...(includesDataExport(kind)
      ? renderDataExportBucketPolicyStatements({ ...target, sidPrefix: curBucketPolicySidPrefix })
      : []),
  ]);
}

/**
 * CloudFormation's intrinsics as the strings they become when the stack is created: `Fn::Sub` and `Ref` of the pseudo
 * parameters with the install's partition, account and region; a template parameter's `Ref` as a placeholder.
 */
function withIntrinsicsResolved(value: unknown, pseudo: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => withIntrinsicsResolved(item, pseudo));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [key, argument] = entries[0] ?? [];
  if (entries.length === 1 && key === 'Fn::Sub' && typeof argument === 'string') {
    return argument.replace(/\$\{(AWS::\w+)\}/g, (_whole, name: string) => pseudo[name] ?? 'resolved-by-cfn');
  }
  if (entries.length === 1 && key === 'Ref') return pseudo[String(argument)] ?? 'resolved-by-cfn';
  if (entries.length === 1 && key?.startsWith('Fn::')) return 'resolved-by-cfn';
  return Object.fromEntries(entries.map(([name, child]) => [name, withIntrinsicsResolved(child, pseudo)]));
}

/** A trust policy as if it were the role's identity policy: its Resource the role, so every other element is linted. */
function asResourcePolicy(document: PolicyDocument, roleArn: string, pseudo: Record<string, string>): PolicyDocument {
  const resolved = withIntrinsicsResolved(document, pseudo) as PolicyDocument;
  return { ...resolved, Statement: resolved.Statement.map((statement) => ({ ...statement, Resource: roleArn })) };
}

/** Every policy document the project renders for customers, for every trust mode, cost report kind and install above. */
export function renderedPolicies(): RenderedPolicy[] {
  const policies: RenderedPolicy[] = [];
  for (const base of lintedInstalls) {
    for (const kind of costReportKinds) {
      const install: InstallResourceInput = { ...base, cur: { ...base.cur, kind } };
      const names = installResourceNames(install);
      const curBucketArn = `arn:${names.partition}:s3:::${names.curBucket}`;
      const roleArn = (name: string) => `arn:${names.partition}:iam::${names.accountId}:role/${name}`;
      const label = `${base.installId}/${base.region}/${kind}`;
      const pseudo = {
        'AWS::Partition': names.partition,
        'AWS::AccountId': names.accountId,
        'AWS::Region': names.region,
      };
      const add = (name: string, policyKind: RenderedPolicy['kind'], document: PolicyDocument) =>
        policies.push({ name: `${name} ${label}`, kind: policyKind, document, curBucketArn });
      add('cur-bucket-policy', 'bucket', curBucketPolicy(install, kind));
      for (const [mode, render] of Object.entries(trustModeRenders)) {
        const artifacts = render(install);
        add(`trust-policy ${mode}`, 'trust', artifacts.trustPolicy);
        add(
          `trust-policy ${mode} as resource`,
          'trust-as-resource',
          asResourcePolicy(artifacts.trustPolicy, roleArn(artifacts.roleName), pseudo),
        );
        add(`provision-policy ${mode}`, 'permissions', artifacts.provisionPolicy);
        add(`deprovision-policy ${mode}`, 'permissions', artifacts.deprovisionPolicy);
        for (const { path, document } of templatePolicies(artifacts.roleTemplate)) {
          const trust = path.endsWith('.AssumeRolePolicyDocument');
          const resolved = withIntrinsicsResolved(document, pseudo) as PolicyDocument;
          add(`role-template ${path} ${mode}`, trust ? 'trust' : 'permissions', resolved);
          if (trust)
            add(
              `role-template ${path} ${mode} as resource`,
              'trust-as-resource',
              asResourcePolicy(document, roleArn('callback'), pseudo),
            );
        }
      }
    }
  }
  policies.push(...organizationPolicies());
  return policies;
}

/**
 * The organization install's two templates: the management role (its trust and its policy) and the StackSet's member
 * role, resolved for one member account.
 */
function organizationPolicies(): RenderedPolicy[] {
  const policies: RenderedPolicy[] = [];
  const vendorPrincipalArn = 'arn:aws:iam::111122223333:role/vendor-orchestrator';
  const memberAccount = '210987654321';
  for (const organization of lintedOrganizations) {
    const member = installResourceNames({
      installId: memberInstallId(organization.organizationInstallId, memberAccount),
      awsAccountId: memberAccount,
      region: organization.region,
    });
    const curBucketArn = `arn:${member.partition}:s3:::${member.curBucket}`;
    const templates = {
      management: {
        template: renderManagementRoleTemplate({ ...organization, vendorPrincipalArn }),
        account: organization.managementAccountId,
      },
      member: { template: renderMemberRoleTemplate({ ...organization, vendorPrincipalArn }), account: memberAccount },
    };
    for (const [which, { template, account }] of Object.entries(templates)) {
      const pseudo = { 'AWS::Partition': member.partition, 'AWS::AccountId': account, 'AWS::Region': member.region };
      for (const { path, document } of templatePolicies(template)) {
        const trust = path.endsWith('.AssumeRolePolicyDocument');
        const name = `organization ${which} ${path} ${organization.organizationInstallId}/${organization.region}`;
        policies.push({
          name,
          kind: trust ? 'trust' : 'permissions',
          document: withIntrinsicsResolved(document, pseudo) as PolicyDocument,
          curBucketArn,
        });
        if (trust) {
          const roleArn = `arn:${member.partition}:iam::${account}:role/${which}`;
          policies.push({
            name: `${name} as resource`,
            kind: 'trust-as-resource',
            document: asResourcePolicy(document, roleArn, pseudo),
            curBucketArn,
          });
        }
      }
    }
  }
  return policies;
}
