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
