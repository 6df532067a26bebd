import { renderStatus } from '../../client/cli/render-status';
import { oidcProviderArn, oidcSubject, renderOidcTrustPolicy } from '../../domain/oidc-trust';
import { renderOnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { renderOnboardingKit } from '../../domain/onboarding-kit';
import { checkTrustPolicy, describeTrustPolicyFindings } from '../../domain/trust-policy-check';

const issuerUrl = 'https://id.vendor.example/tenant';
const prefix = 'id.vendor.example/tenant';
const subject = oidcSubject('acme', 'acme-prod');
const providerArn = oidcProviderArn('123456789012', issuerUrl);
const expected = {
  vendorPrincipalArn: 'arn:aws:iam::999999999999:role/vendor',
  externalId: 'a'.repeat(48),
  oidc: { providerArn, conditionPrefix: prefix, subject },
};
const ours = renderOidcTrustPolicy(providerArn, issuerUrl, subject);
const statement = ours.Statement[0]!;
const check = (policy: unknown) => checkTrustPolicy(JSON.stringify(policy), expected).map((finding) => finding.code);
const withStatement = (changes: Record<string, unknown>) => ({ ...ours, Statement: [{ ...statement, ...changes }] });

describe('the OIDC trust policy', () => {
  it('names only our provider, for sts:AssumeRoleWithWebIdentity, with aud and sub pinned by StringEquals', () => {
    expect(statement).toEqual({
      Sid: 'VendorIssuerAssumesForThisInstall',
      Effect: 'Allow',
      Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/id.vendor.example/tenant' },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { [`${prefix}:aud`]: 'sts.amazonaws.com', [`${prefix}:sub`]: 'install:acme:acme-prod' },
      },
    });
    expect(check(ours)).toEqual([]);
  });

  it('finds a StringLike on sub, even one without wildcards', () => {
    const like = withStatement({
      Condition: {
        StringEquals: { [`${prefix}:aud`]: 'sts.amazonaws.com' },
        StringLike: { [`${prefix}:sub`]: subject },
      },
    });
    expect(check(like)).toEqual(['oidc_subject_not_pinned']);
    expect(describeTrustPolicyFindings(checkTrustPolicy(JSON.stringify(like), expected))?.code).toBe(
      'oidc_subject_not_pinned',
    );
  });

  it('finds a sub with several values, and a missing aud', () => {
    expect(
      check(withStatement({ Condition: { StringEquals: { [`${prefix}:sub`]: [subject, 'install:acme:other'] } } })),
    ).toEqual(['oidc_audience_not_pinned', 'oidc_subject_not_pinned']);
  });

  it('finds another provider, and an AWS principal beside ours', () => {
    expect(check(withStatement({ Principal: { Federated: oidcProviderArn('123456789012', 'https/other') } }))).toEqual([
      'trust_policy_allows_other_principals',
    ]);
    expect(
      check(withStatement({ Principal: { Federated: providerArn, AWS: 'arn:aws:iam::999999999999:root' } })),
    ).toEqual(['trust_policy_allows_other_principals']);
  });
});

describe('the onboarding kit in OIDC mode', () => {
  const artifacts = renderOnboardingArtifacts({
    install: { installId: 'acme-prod', awsAccountId: '123456789012', region: 'us-east-1' },
    externalId: 'a'.repeat(48),
    vendorPrincipalArn: '',
    roleTemplateUrl: 'https://api.vendor.example/installs/acme-prod/onboarding/role-template.json',
    oidc: { issuerUrl, subject },
  });
  const files = Object.fromEntries(renderOnboardingKit(artifacts).map((file) => [file.name, file.body]));

  it('renders the provider and the trusting role in CloudFormation, with no External ID parameter', () => {
    const template = JSON.parse(files['role-template.json']!) as {
      Parameters: Record<string, unknown>;
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    expect(template.Parameters).not.toHaveProperty('ExternalId');
    expect(template.Resources.VendorOidcProvider).toMatchObject({
      Type: 'AWS::IAM::OIDCProvider',
      Condition: 'CreatesOidcProvider',
      Properties: { Url: issuerUrl, ClientIdList: ['sts.amazonaws.com'] },
    });
    const trust = template.Resources.InstallAccessRole!.Properties.AssumeRolePolicyDocument as typeof ours;
    expect(trust.Statement[0]!.Principal).toEqual({
      Federated: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/${prefix}` },
    });
    expect(trust.Statement[0]!.Condition).toEqual(statement.Condition);
    expect(artifacts.quickCreateUrl).not.toContain('ExternalId');
  });

  it('renders the provider first in the CLI script and in Terraform', () => {
    expect(files['create-role.sh']).toContain(
      `aws iam create-open-id-connect-provider --url '${issuerUrl}' --client-id-list sts.amazonaws.com`,
    );
    expect(files['create-role.sh']!.indexOf('create-open-id-connect-provider')).toBeLessThan(
      files['create-role.sh']!.indexOf('aws iam create-role'),
    );
    expect(files['create-role.sh']).toContain('sts:AssumeRoleWithWebIdentity');
    expect(files['install-access-role.tf']).toContain('resource "aws_iam_openid_connect_provider" "vendor"');
    expect(files['install-access-role.tf']).toContain('Federated = aws_iam_openid_connect_provider.vendor.arn');
    expect(files['install-access-role.tf']).toContain(`"${prefix}:sub":"${subject}"`);
    expect(files['install-access-role.tf']).toContain('name               = "');
  });
});

describe('the CLI status view of an OIDC install', () => {
  it('names the trust mode and the subject, and the verification in its own words', () => {
    const shown = renderStatus({
      installId: 'acme-1',
      orgId: 'acme',
      awsAccountId: '111111111111',
      region: 'eu-west-1',
      phase: 'provisioning_sandbox',
      phaseSince: '2026-11-22T10:00:00.000Z',
      trust: 'oidc',
      oidcSubject: 'install:acme:acme-1',
      steps: { verify_role: { state: 'done' } },
      roleSubmissions: 1,
      remindersSent: 0,
    });
    expect(shown).toContain('trust oidc (install:acme:acme-1)');
    expect(shown).toContain("✓ AssumeRoleWithWebIdentity with this install's token; foreign tokens refused");
    expect(shown).not.toContain('External ID');
  });
});
