import { checkRotationRequest } from '../../domain/external-id-rotation';
import { customerAccessRef, sessionKeyOf } from '../../domain/customer-access';
import { renderOnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { renderOnboardingKit } from '../../domain/onboarding-kit';
import { checkTrustPolicy } from '../../domain/trust-policy-check';
import { renderRotationTrustPolicy, renderTrustPolicy } from '../../domain/trust-policy';

const vendor = 'arn:aws:iam::123456789012:role/vendor';
const oldId = 'a'.repeat(48);
const newId = 'b'.repeat(48);
const otherId = 'c'.repeat(48);

function pinning(values: string | string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: vendor },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': values } },
      },
    ],
  });
}

const kitInput = {
  install: { installId: 'acme-prod', awsAccountId: '111111111111', region: 'us-east-1' },
  externalId: oldId,
  vendorPrincipalArn: vendor,
  roleTemplateUrl: 'https://templates.example/acme-prod/onboarding/role-template.json',
};

describe('External ID rotation: the trust policy check', () => {
  it('passes the two-ID policy the rotation kit renders only while a rotation names the other ID', () => {
    const policy = JSON.stringify(renderRotationTrustPolicy(vendor, [oldId, newId]));
    expect(
      checkTrustPolicy(policy, { vendorPrincipalArn: vendor, externalId: oldId, rotatingExternalId: newId }),
    ).toEqual([]);
    // After the switch the install checks with the new ID and names the old one.
    expect(
      checkTrustPolicy(policy, { vendorPrincipalArn: vendor, externalId: newId, rotatingExternalId: oldId }),
    ).toEqual([]);
    // Without a rotation under way the same policy is a finding: it admits an ID that is not the install's.
    expect(checkTrustPolicy(policy, { vendorPrincipalArn: vendor, externalId: newId }).map((f) => f.code)).toEqual([
      'external_id_not_pinned',
    ]);
  });

  it('passes either ID alone during a rotation, and refuses any value that is not one of the two', () => {
    const rotating = { vendorPrincipalArn: vendor, externalId: oldId, rotatingExternalId: newId };
    expect(checkTrustPolicy(pinning(oldId), rotating)).toEqual([]);
    expect(checkTrustPolicy(pinning([newId]), rotating)).toEqual([]);
    for (const values of [[oldId, otherId], [oldId, newId, otherId], [otherId], [`${newId.slice(0, 40)}*`]]) {
      expect(checkTrustPolicy(pinning(values), rotating).map((f) => f.code)).toEqual(['external_id_not_pinned']);
    }
  });
});

describe('External ID rotation: the kit', () => {
  it('renders a trust policy accepting both IDs with StringEquals and a two-element list', () => {
    const artifacts = renderOnboardingArtifacts({ ...kitInput, newExternalId: newId });
    expect(artifacts.trustPolicy.Statement).toHaveLength(1);
    expect(artifacts.trustPolicy.Statement[0]!.Condition).toEqual({
      StringEquals: { 'sts:ExternalId': [oldId, newId] },
    });
    expect(artifacts.newExternalId).toBe(newId);
  });

  it('renders the CloudFormation stack update, the IAM CLI and Terraform with both IDs', () => {
    const artifacts = renderOnboardingArtifacts({ ...kitInput, newExternalId: newId });
    const template = artifacts.roleTemplate as {
      Parameters: Record<string, unknown>;
      Resources: { InstallAccessRole: { Properties: { AssumeRolePolicyDocument: { Statement: unknown[] } } } };
    };
    expect(Object.keys(template.Parameters)).toContain('NewExternalId');
    expect(template.Resources.InstallAccessRole.Properties.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Condition: { StringEquals: { 'sts:ExternalId': [{ Ref: 'ExternalId' }, { Ref: 'NewExternalId' }] } },
    });
    const files = Object.fromEntries(renderOnboardingKit(artifacts).map((file) => [file.name, file.body]));
    expect(files['update-role-stack.sh']).toContain(
      `aws cloudformation update-stack --stack-name ${artifacts.roleStackName} --template-body file://role-template.json`,
    );
    expect(files['update-role-stack.sh']).toContain(`'ParameterKey=ExternalId,ParameterValue=${oldId}'`);
    expect(files['update-role-stack.sh']).toContain(`'ParameterKey=NewExternalId,ParameterValue=${newId}'`);
    const twoIds = JSON.stringify({ 'sts:ExternalId': [oldId, newId] });
    expect(files['update-trust-policy.sh']).toContain(
      `aws iam update-assume-role-policy --role-name ${artifacts.roleName}`,
    );
    expect(files['update-trust-policy.sh']).toContain(twoIds);
    expect(files['install-access-role.tf']).toContain(twoIds);
    expect(JSON.parse(files['trust-policy.json']!)).toEqual(renderRotationTrustPolicy(vendor, [oldId, newId]));
  });

  it('renders the single ID in use outside a rotation, with no second parameter', () => {
    const artifacts = renderOnboardingArtifacts({ ...kitInput, externalId: newId });
    expect(artifacts.trustPolicy).toEqual(renderTrustPolicy(vendor, newId));
    expect(Object.keys((artifacts.roleTemplate as { Parameters: object }).Parameters)).not.toContain('NewExternalId');
    const files = Object.fromEntries(renderOnboardingKit(artifacts).map((file) => [file.name, file.body]));
    expect(files['update-role-stack.sh']).not.toContain('NewExternalId');
    expect(files['update-trust-policy.sh']).not.toContain(oldId);
  });
});

describe('External ID rotation: settings and sessions', () => {
  it('refuses an expiry or poll period outside its bounds, by the deployment floor', () => {
    expect(checkRotationRequest({}, 'production')).toEqual([]);
    expect(checkRotationRequest({ expiresAfter: '48 hours', pollEvery: '5 minutes' }, 'production')).toEqual([]);
    expect(checkRotationRequest({ expiresAfter: '31 days' }, 'production').map((p) => p.path)).toEqual([
      '/expiresAfter',
    ]);
    expect(checkRotationRequest({ expiresAfter: '999999999 days' }, 'development').map((p) => p.path)).toEqual([
      '/expiresAfter',
    ]);
    expect(checkRotationRequest({ pollEvery: '1 second' }, 'production').map((p) => p.path)).toEqual(['/pollEvery']);
    expect(checkRotationRequest({ pollEvery: '1 second' }, 'development')).toEqual([]);
    expect(checkRotationRequest({ pollEvery: 'soon' }, 'development').map((p) => p.path)).toEqual(['/pollEvery']);
  });

  it('keys sessions by the External ID generation, so none outlives a switch, and keeps the old key for the first', () => {
    const access = {
      installId: 'acme',
      roleArn: 'arn:aws:iam::111111111111:role/r',
      externalId: oldId,
      region: 'us-east-1',
    };
    const switched = { ...access, externalId: newId, externalIdGeneration: 1 };
    expect(sessionKeyOf(access)).toBe(sessionKeyOf(customerAccessRef(access)));
    expect(customerAccessRef(access)).toEqual({ installId: 'acme', role: expect.any(String) });
    expect(sessionKeyOf(switched)).toBe(sessionKeyOf(customerAccessRef(switched)));
    expect(sessionKeyOf(switched)).not.toBe(sessionKeyOf(access));
  });
});
