import type { PolicyDocument } from './policy-document';

/**
 * How the vendor reaches the customer's role: `external-id` (a vendor AWS principal calls sts:AssumeRole with the
 * install's External ID) or `oidc` (the role trusts the orchestrator as an OIDC identity provider, and the worker
 * calls sts:AssumeRoleWithWebIdentity with a token naming this install; no vendor AWS credentials exist).
 */
export type TrustMode = 'external-id' | 'oidc';
export const trustModes: readonly TrustMode[] = ['external-id', 'oidc'];
export const defaultTrustMode: TrustMode = 'external-id';

/** The audience AWS expects of tokens for STS, and the client id the IAM OIDC provider lists. */
export const stsAudience = 'sts.amazonaws.com';

/**
 * The tokens an OIDC install's role must refuse, each a probe of its own: another install's subject, another
 * audience, an expired token, and one signed by a key the JWKS does not hold.
 */
export const oidcTokenProbes = ['other_subject', 'other_audience', 'expired', 'unknown_key'] as const;
export type OidcTokenProbe = (typeof oidcTokenProbes)[number];

/** The token's subject: one install of one tenant, and no other, so one install's token opens no other's role. */
export function oidcSubject(orgId: string, installId: string): string {
  return `install:${orgId}:${installId}`;
}

/** How IAM names the provider in condition keys and ARNs: the issuer URL without its scheme or trailing slash. */
export function issuerHostPath(issuerUrl: string): string {
  return issuerUrl.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

export function oidcProviderArn(accountId: string, issuerUrl: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${issuerHostPath(issuerUrl)}`;
}

/**
 * The role trusts only our provider, only for STS's audience and only this install's subject, both StringEquals
 * (a StringLike on sub would let other installs' tokens in).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
 */
export function renderOidcTrustPolicy(providerArn: string, issuerUrl: string, subject: string): PolicyDocument {
  const prefix = issuerHostPath(issuerUrl);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'VendorIssuerAssumesForThisInstall',
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${prefix}:aud`]: stsAudience, [`${prefix}:sub`]: subject } },
      },
    ],
  };
}
