import { oidcTokenProbes, type OidcTokenProbe } from '../domain/oidc-trust';
import type { CustomerAccessInput } from '../domain/customer-access';
import { describeTrustPolicyFindings } from '../domain/trust-policy-check';
import type { InstallActivities } from '../activities';
import { quick } from './activity-profiles';
import type { InstallTracker } from './install-tracker';

const probeSummaries: Record<OidcTokenProbe, string> = {
  other_subject: "AssumeRoleWithWebIdentity with another install's token must be refused",
  other_audience: 'AssumeRoleWithWebIdentity with a token for another audience must be refused',
  expired: 'AssumeRoleWithWebIdentity with an expired token must be refused',
  unknown_key: 'AssumeRoleWithWebIdentity with a token signed by an unknown key must be refused',
};

/** The refusal an accepted probe amounts to: codes the error catalog explains. */
export const oidcProbeRefusals: Record<OidcTokenProbe, { code: string; message: string }> = {
  other_subject: {
    code: 'oidc_subject_not_enforced',
    message: "The role accepts a token for another install's subject: pin <issuer>:sub with StringEquals.",
  },
  other_audience: {
    code: 'oidc_audience_not_enforced',
    message: 'The role accepts a token for another audience: pin <issuer>:aud to sts.amazonaws.com.',
  },
  expired: {
    code: 'oidc_expired_token_accepted',
    message: 'AWS accepted an expired token for the role: report this to the vendor.',
  },
  unknown_key: {
    code: 'oidc_unknown_key_accepted',
    message: "The role accepts a token signed by a key the issuer does not publish: check the role's OIDC provider.",
  },
};

/**
 * OIDC mode's counterpart of the External ID probes: each token the role must refuse, tried by an activity of its
 * own (the tokens are made and used there), then the trust policy read and judged (only our provider, aud and sub
 * pinned). Records what it found on the role; returns the refusal, if any.
 */
export async function checkOidcTrust(
  tracker: InstallTracker,
  access: CustomerAccessInput,
  activities: (summary: string) => Pick<InstallActivities, 'probeRoleWithToken' | 'checkRoleTrustPolicy'> = quick,
): Promise<{ code: string; message: string } | undefined> {
  const answers = await Promise.all(
    oidcTokenProbes.map((probe) => activities(probeSummaries[probe]).probeRoleWithToken({ access, probe })),
  );
  const tokenProbes = Object.fromEntries(answers.map((answer) => [answer.probe, answer.result]));
  tracker.recordRoleChecks({ tokenProbes });
  const { findings } = await activities(
    'Read the trust policy: only our OIDC provider, aud and sub pinned',
  ).checkRoleTrustPolicy({ access });
  tracker.recordRoleChecks({ trustPolicyFindings: findings });
  const accepted = answers.find((answer) => answer.result === 'allowed');
  if (accepted) return oidcProbeRefusals[accepted.probe];
  return describeTrustPolicyFindings(findings);
}
