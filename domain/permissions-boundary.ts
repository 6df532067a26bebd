import { parseArn, partitionOfRegion } from './arn';

/**
 * The optional permissions boundary the kit sets on the install's role: a managed policy (the customer's, in the
 * install's account, or one of AWS's) whose allows cap what the role's own policies can grant.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 */

/** IAM's limits: policy names up to 128 characters, paths up to 512, ARNs up to 2,048. */
export const permissionsBoundaryLimits = { arn: 2048, name: 128, path: 512 };

/** Characters of a path segment or policy name the kit accepts (IAM's name characters), checked one segment at a time. */
const segmentPattern = /^[\w+=,.@-]+$/;

/**
 * Why `arn` cannot be the boundary of this install's role, or undefined: it must be the ARN of a managed policy in
 * the install's partition, owned by the install's account or by AWS (`arn:aws:iam::aws:policy/…`).
 *
 * @example permissionsBoundaryProblem('arn:aws:iam::123456789012:policy/VendorBoundary', { awsAccountId: '123456789012', region: 'us-east-1' }) // undefined
 */
export function permissionsBoundaryProblem(
  arn: string,
  install: { awsAccountId: string; region: string },
): string | undefined {
  const shown = JSON.stringify(arn.slice(0, 100));
  if (arn.length > permissionsBoundaryLimits.arn) {
    return `permissionsBoundary is ${arn.length} characters long; an ARN has at most ${permissionsBoundaryLimits.arn}.`;
  }
  const parsed = parseArn(arn);
  const partition = partitionOfRegion(install.region);
  if (!parsed || parsed.service !== 'iam' || parsed.region !== '' || !parsed.resource.startsWith('policy/')) {
    return `permissionsBoundary ${shown} is not the ARN of a managed policy (arn:${partition}:iam::<account>:policy/<name>).`;
  }
  if (parsed.partition !== partition) {
    return `permissionsBoundary ${shown} is in partition ${parsed.partition}; the install's region ${install.region} is in ${partition}.`;
  }
  if (parsed.accountId !== install.awsAccountId && parsed.accountId !== 'aws') {
    return `permissionsBoundary ${shown} belongs to account ${parsed.accountId}; a role's boundary is a policy of its own account (${install.awsAccountId}) or of AWS.`;
  }
  const segments = parsed.resource.slice('policy/'.length).split('/');
  const name = segments.pop() ?? '';
  const path = segments.length > 0 ? `/${segments.join('/')}/` : '/';
  if (
    name.length === 0 ||
    name.length > permissionsBoundaryLimits.name ||
    path.length > permissionsBoundaryLimits.path ||
    ![...segments, name].every((segment) => segmentPattern.test(segment))
  ) {
    return `permissionsBoundary ${shown} has a policy name or path IAM does not accept (names of letters, digits and +=,.@_-, up to ${permissionsBoundaryLimits.name} characters; paths up to ${permissionsBoundaryLimits.path}).`;
  }
  return undefined;
}
