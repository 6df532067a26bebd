import { accountOfArn, checkRoleArnForInstall, parseArn, parseRoleArn, partitionOfRegion } from '../../domain/arn';

const expected = { accountId: '111111111111', partition: 'aws' as const };

describe('role ARN checks', () => {
  it('accepts a role ARN with a path and keeps its parts', () => {
    const result = parseRoleArn('  arn:aws:iam::111111111111:role/team/ops/install-access ');
    expect(result).toEqual({
      ok: true,
      role: {
        arn: 'arn:aws:iam::111111111111:role/team/ops/install-access',
        partition: 'aws',
        accountId: '111111111111',
        path: '/team/ops/',
        roleName: 'install-access',
      },
    });
  });

  it.each([
    ['', 'empty'],
    ['not an arn', 'not_an_arn'],
    ['arn:aws:iam::111111111111:user/alice', 'not_a_role'],
    ['arn:aws:s3:::bucket', 'not_iam'],
    ['arn:aws:sts::111111111111:role/x', 'not_iam'],
    ['arn:aws:iam:us-east-1:111111111111:role/x', 'not_iam'],
    ['arn:aws-moon:iam::111111111111:role/x', 'unknown_partition'],
    ['arn:aws:iam::11111111111:role/x', 'invalid_account_id'],
    ['arn:aws:iam::111111111111:role/', 'invalid_role_name'],
    ['arn:aws:iam::111111111111:role/naïve', 'invalid_role_name'],
    [`arn:aws:iam::111111111111:role/${'r'.repeat(65)}`, 'invalid_role_name'],
    [`arn:aws:iam::111111111111:role/${'p'.repeat(10_000)}`, 'too_long'],
  ])('rejects %j as %s', (input, code) => {
    const result = parseRoleArn(input);
    expect(result.ok ? undefined : result.problem.code).toBe(code);
  });

  it('rejects a role in another account than the install expects, naming both accounts', () => {
    const result = checkRoleArnForInstall('arn:aws:iam::222222222222:role/x', expected);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problem.message).toMatch(/222222222222.*111111111111/);
  });

  it('rejects a role in another partition', () => {
    const result = checkRoleArnForInstall('arn:aws-cn:iam::111111111111:role/x', expected);
    expect(result.ok ? undefined : result.problem.code).toBe('wrong_partition');
  });

  it('derives the partition from the region', () => {
    expect([
      partitionOfRegion('eu-west-1'),
      partitionOfRegion('cn-north-1'),
      partitionOfRegion('us-gov-west-1'),
    ]).toEqual(['aws', 'aws-cn', 'aws-us-gov']);
  });
});

describe('any ARN', () => {
  it('splits an ARN into its fields and keeps the colons of its resource', () => {
    expect(parseArn('arn:aws:logs:us-east-1:111111111111:log-group:/install/runner:*')).toEqual({
      partition: 'aws',
      service: 'logs',
      region: 'us-east-1',
      accountId: '111111111111',
      resource: 'log-group:/install/runner:*',
    });
  });

  it('reads the account of a CloudFormation stack id', () => {
    expect(accountOfArn('arn:aws:cloudformation:eu-west-1:222222222222:stack/install-acme-access/0a1b2c')).toBe(
      '222222222222',
    );
  });

  it('reads the "aws" account of an AWS managed policy and the empty account of a bucket', () => {
    expect(accountOfArn('arn:aws:iam::aws:policy/ReadOnlyAccess')).toBe('aws');
    expect(accountOfArn('arn:aws:s3:::cur-bucket')).toBe('');
  });

  it.each([
    '',
    '222222222222',
    'arn:aws:cloudformation',
    'x:aws:cloudformation:eu-west-1:222222222222:stack/a',
    'arn:aws:s3:::',
  ])('finds no account in %j, which is not an ARN', (text) => {
    expect(parseArn(text)).toBeUndefined();
    expect(accountOfArn(text)).toBeUndefined();
  });
});
