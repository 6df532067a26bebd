/** The one place ARNs are parsed: the workflow's validators decide with these checks; activities read accounts and roles. */

export const awsPartitions = ['aws', 'aws-cn', 'aws-us-gov'] as const;
export type AwsPartition = (typeof awsPartitions)[number];

/** Any ARN's fields: arn:<partition>:<service>:<region>:<account>:<resource>, the resource keeping its own colons. */
export interface Arn {
  partition: string;
  service: string;
  region: string;
  /** 12 digits, empty (S3 buckets), or `aws` for AWS's own managed policies. */
  accountId: string;
  resource: string;
}

/**
 * The fields of any ARN, or undefined when the text is not one; checks only the shape (see parseRoleArn for roles).
 *
 * @example parseArn('arn:aws:cloudformation:us-east-1:111111111111:stack/access/0a1b')?.accountId // '111111111111'
 */
export function parseArn(text: string): Arn | undefined {
  const match = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.+)$/.exec(text);
  if (!match) return undefined;
  const [, partition = '', service = '', region = '', accountId = '', resource = ''] = match;
  return { partition, service, region, accountId, resource };
}

/** The account field of an ARN, or undefined when the text is not an ARN. */
export function accountOfArn(text: string): string | undefined {
  return parseArn(text)?.accountId;
}

export interface RoleArn {
  arn: string;
  partition: AwsPartition;
  accountId: string;
  /** `/` or `/some/path/`, as IAM stores it. */
  path: string;
  roleName: string;
}

export type RoleArnProblemCode =
  | 'empty'
  | 'too_long'
  | 'not_an_arn'
  | 'unknown_partition'
  | 'not_iam'
  | 'not_a_role'
  | 'invalid_account_id'
  | 'invalid_role_name'
  | 'invalid_role_path'
  | 'wrong_partition'
  | 'wrong_account';

export interface RoleArnProblem {
  code: RoleArnProblemCode;
  message: string;
}

export type RoleArnCheck = { ok: true; role: RoleArn } | { ok: false; problem: RoleArnProblem };

// IAM limits: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const maxArnLength = 2048;
const roleNamePattern = /^[\w+=,.@-]{1,64}$/;
const rolePathPattern = /^\/([\x21-\x7E]{0,510}\/)?$/;
const accountIdPattern = /^\d{12}$/;

function problem(code: RoleArnProblemCode, message: string): RoleArnCheck {
  return { ok: false, problem: { code, message } };
}

export function parseRoleArn(input: string): RoleArnCheck {
  const arn = input.trim();
  if (arn.length === 0) return problem('empty', 'The role ARN is empty.');
  if (arn.length > maxArnLength) return problem('too_long', `The role ARN is longer than ${maxArnLength} characters.`);
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn') {
    return problem('not_an_arn', 'This is not an ARN; expected arn:aws:iam::<12-digit account id>:role/<role name>.');
  }
  const [, partition, service, region, accountId, resource] = parts as [string, string, string, string, string, string];
  if (!(awsPartitions as readonly string[]).includes(partition)) {
    return problem('unknown_partition', `Unknown AWS partition "${partition}".`);
  }
  if (service !== 'iam' || region !== '') {
    return problem('not_iam', 'This is not an IAM ARN; expected arn:aws:iam::<account id>:role/<role name>.');
  }
  if (!accountIdPattern.test(accountId)) {
    return problem('invalid_account_id', 'The account id in the ARN must be 12 digits.');
  }
  if (!resource.startsWith('role/')) {
    const kind = resource.split('/')[0] || resource;
    return problem('not_a_role', `This ARN names an IAM ${kind}, not a role; paste the ARN of the role you created.`);
  }
  const lastSlash = resource.lastIndexOf('/');
  const path = resource.slice('role'.length, lastSlash + 1);
  const roleName = resource.slice(lastSlash + 1);
  if (!rolePathPattern.test(path)) return problem('invalid_role_path', 'The role path in the ARN is not valid.');
  if (!roleNamePattern.test(roleName)) {
    return problem('invalid_role_name', 'Role names are 1-64 characters of letters, digits and +=,.@_-.');
  }
  return { ok: true, role: { arn, partition: partition as AwsPartition, accountId, path, roleName } };
}

/** Whether a pasted ARN can be the role of this install: right partition and the account the install expects. */
export function checkRoleArnForInstall(
  input: string,
  expected: { accountId: string; partition: AwsPartition },
): RoleArnCheck {
  const parsed = parseRoleArn(input);
  if (!parsed.ok) return parsed;
  if (parsed.role.partition !== expected.partition) {
    return problem(
      'wrong_partition',
      `The role is in partition ${parsed.role.partition}; this install is in ${expected.partition}.`,
    );
  }
  if (parsed.role.accountId !== expected.accountId) {
    return problem(
      'wrong_account',
      `The role belongs to account ${parsed.role.accountId}, but this install is for account ${expected.accountId}.`,
    );
  }
  return parsed;
}

/** The ARN STS reports for a session of a role: arn:aws:sts::<account>:assumed-role/<role name>/<session>. */
export function assumedRoleArnPrefix(role: RoleArn): string {
  return `arn:${role.partition}:sts::${role.accountId}:assumed-role/${role.roleName}/`;
}

export function partitionOfRegion(region: string): AwsPartition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
