import { randomUUID } from 'node:crypto';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { customerClients } from '../customer-account';
import { stack } from '../helpers';

/**
 * The local AWS endpoint (moto with devstack/moto_server.py's fixes) decides AssumeRole as AWS documents:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
const vendor = stack.accounts.vendor;
const vendorSts = new STSClient({ region: 'us-east-1', endpoint: stack.awsEndpoint, credentials: vendor.credentials });
const ours = 'a'.repeat(48);

async function roleTrusting(...statements: Array<Record<string, unknown>>): Promise<string> {
  const role = await customerClients().iam.send(
    new CreateRoleCommand({
      RoleName: `trust-fidelity-${randomUUID().slice(0, 8)}`,
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    }),
  );
  return role.Role!.Arn!;
}

/** AssumeRole as the vendor; AccessDenied is the answer a refusing trust policy gives. */
async function assumes(roleArn: string, externalId?: string): Promise<'allowed' | 'refused'> {
  try {
    await vendorSts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'fidelity', ExternalId: externalId }),
    );
    return 'allowed';
  } catch (error) {
    if ((error as Error).name === 'AccessDenied') return 'refused';
    throw error;
  }
}

const vendorWithOurId = {
  Effect: 'Allow',
  Principal: { AWS: vendor.principalArn },
  Action: 'sts:AssumeRole',
  Condition: { StringEquals: { 'sts:ExternalId': ours } },
};

describe('the local AWS endpoint evaluates trust policies as AWS does', () => {
  it('lets the vendor in when another statement names someone else (a statement that does not match does not apply)', async () => {
    const roleArn = await roleTrusting(vendorWithOurId, {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::999999999999:root' },
      Action: 'sts:AssumeRole',
    });
    expect(await assumes(roleArn, ours)).toBe('allowed');
    expect(await assumes(roleArn, 'b'.repeat(48))).toBe('refused');
  });

  it('lets an explicit Deny win over an Allow', async () => {
    const roleArn = await roleTrusting(vendorWithOurId, {
      Effect: 'Deny',
      Principal: { AWS: vendor.principalArn },
      Action: 'sts:AssumeRole',
    });
    expect(await assumes(roleArn, ours)).toBe('refused');
  });

  it.each([
    ['Principal "*"', '*'],
    ['the vendor account id', { AWS: vendor.accountId }],
    ['the vendor account root', { AWS: `arn:aws:iam::${vendor.accountId}:root` }],
  ])('admits the vendor through %s', async (_shape, principal) => {
    const roleArn = await roleTrusting({ ...vendorWithOurId, Principal: principal });
    expect(await assumes(roleArn, ours)).toBe('allowed');
    expect(await assumes(roleArn)).toBe('refused');
  });

  it('compares condition keys case-insensitively', async () => {
    const roleArn = await roleTrusting({ ...vendorWithOurId, Condition: { StringEquals: { 'STS:EXTERNALID': ours } } });
    expect(await assumes(roleArn, ours)).toBe('allowed');
    expect(await assumes(roleArn, 'b'.repeat(48))).toBe('refused');
  });

  it('evaluates StringLike: any External ID matches "*", none is no match', async () => {
    const roleArn = await roleTrusting({ ...vendorWithOurId, Condition: { StringLike: { 'sts:ExternalId': '*' } } });
    expect(await assumes(roleArn, 'b'.repeat(48))).toBe('allowed');
    expect(await assumes(roleArn)).toBe('refused');
  });

  it('lets an IfExists condition pass when the request has no External ID', async () => {
    const roleArn = await roleTrusting({
      ...vendorWithOurId,
      Condition: { StringEqualsIfExists: { 'sts:ExternalId': ours } },
    });
    expect(await assumes(roleArn)).toBe('allowed');
    expect(await assumes(roleArn, 'b'.repeat(48))).toBe('refused');
  });

  it('admits any of several StringEquals values, and no other', async () => {
    const roleArn = await roleTrusting({
      ...vendorWithOurId,
      Condition: { StringEquals: { 'sts:ExternalId': [ours, 'c'.repeat(48)] } },
    });
    expect(await assumes(roleArn, 'c'.repeat(48))).toBe('allowed');
    expect(await assumes(roleArn, 'b'.repeat(48))).toBe('refused');
  });
});
