import { installResourceNames, renderOnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { evaluatePermissions, provisionPermissions, deprovisionPermissions } from '../../domain/permissions';
import type { PolicyDocument } from '../../domain/policy-document';

const install = { installId: 'acme-1', awsAccountId: '111111111111', region: 'eu-west-1' };
const names = installResourceNames(install);
const required = [...provisionPermissions(names), ...deprovisionPermissions(names)];
const artifacts = renderOnboardingArtifacts({
  install,
  externalId: 'e'.repeat(48),
  vendorPrincipalArn: 'arn:aws:iam::123456789012:role/vendor',
  roleTemplateUrl: 'https://templates.example/acme-1/role-template.json',
});

describe('permission preflight', () => {
  it('finds nothing missing in the policies the onboarding artifacts render', () => {
    expect(evaluatePermissions([artifacts.provisionPolicy, artifacts.deprovisionPolicy], required)).toEqual({
      missing: [],
      conditional: [],
    });
  });

  it('names every teardown action when only the provision policy is attached', () => {
    const report = evaluatePermissions([artifacts.provisionPolicy], required);
    expect(report.missing.map((permission) => permission.action)).toEqual(
      expect.arrayContaining(['cloudformation:DeleteStack', 'cur:DeleteReportDefinition', 's3:DeleteBucket']),
    );
    expect(report.missing.every((permission) => permission.purpose === 'teardown')).toBe(true);
  });

  it('lets an explicit Deny override an Allow', () => {
    const deny: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 'cloudformation:Create*', Resource: '*' }],
    };
    const report = evaluatePermissions([artifacts.provisionPolicy, artifacts.deprovisionPolicy, deny], required);
    expect(report.missing.map((permission) => permission.action)).toEqual([
      'cloudformation:CreateStack',
      'cloudformation:CreateChangeSet',
    ]);
  });

  it('accepts wildcards, case-insensitive actions and NotAction the way IAM does', () => {
    const admin: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['CloudFormation:*', 's3:*', 'sqs:*', 'cur:*'], Resource: '*' },
        { Effect: 'Allow', NotAction: ['iam:Create*'], Resource: '*' },
      ],
    };
    expect(evaluatePermissions([admin], required).missing).toEqual([]);
  });

  it('reports an Allow that holds only under a Condition as conditional, not granted', () => {
    const conditional: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      ],
    };
    const report = evaluatePermissions([conditional], required);
    expect(report.missing).toEqual([]);
    expect(report.conditional).toHaveLength(required.length);
  });

  it('does not take a grant on another stack for a grant on this one', () => {
    const otherStack: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'cloudformation:*', Resource: 'arn:aws:cloudformation:*:*:stack/other/*' },
      ],
    };
    const report = evaluatePermissions([otherStack], provisionPermissions(names));
    expect(report.missing.map((permission) => permission.action)).toContain('cloudformation:CreateStack');
  });
});

describe('onboarding artifacts', () => {
  it('trusts only the vendor principal and only with the External ID', () => {
    expect(artifacts.trustPolicy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123456789012:role/vendor' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'e'.repeat(48) } },
      }),
    ]);
  });

  it('renders a role template whose trust policy takes the External ID as a parameter', () => {
    const role = (artifacts.roleTemplate.Resources as Record<string, { Properties: Record<string, unknown> }>)
      .InstallAccessRole!;
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('{"Ref":"ExternalId"}');
    expect(JSON.stringify(artifacts.roleTemplate)).not.toContain('e'.repeat(48));
  });

  it('links the CloudFormation console quick-create page with the template and External ID', () => {
    const url = new URL(artifacts.quickCreateUrl);
    const params = new URLSearchParams(url.hash.split('?')[1]);
    expect(url.host).toBe('console.aws.amazon.com');
    expect(url.searchParams.get('region')).toBe('eu-west-1');
    expect(params.get('templateURL')).toBe('https://templates.example/acme-1/role-template.json');
    expect(params.get('param_ExternalId')).toBe('e'.repeat(48));
  });
});
