import type { PolicyDocument } from './policy-document';

/**
 * The role trusts only the vendor principal, and only when it presents this install's External ID: the
 * confused-deputy guard. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html
 */
export function renderTrustPolicy(vendorPrincipalArn: string, externalId: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'VendorAssumesWithExternalId',
        Effect: 'Allow',
        Principal: { AWS: vendorPrincipalArn },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
    ],
  };
}

/**
 * During an External ID rotation (domain/external-id-rotation.ts): the same statement, accepting either ID, so the
 * vendor can switch to the new one while the old one still works. StringEquals with a list matches any of its values.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
 */
export function renderRotationTrustPolicy(
  vendorPrincipalArn: string,
  externalIds: readonly [string, string],
): PolicyDocument {
  const policy = renderTrustPolicy(vendorPrincipalArn, externalIds[0]);
  return {
    ...policy,
    Statement: policy.Statement.map((statement) => ({
      ...statement,
      Condition: { StringEquals: { 'sts:ExternalId': [...externalIds] } },
    })),
  };
}
