import type { InstallEnvelope, OnboardingRestart, RunnerRegistration, VerificationAnswer } from './responses';

/*
 * Examples for the OpenAPI document, typed with the answers' own types so tsc rejects one that no longer fits.
 */

const installId = 'acme-prod';
const links = {
  self: `/installs/${installId}`,
  onboarding: `/installs/${installId}/onboarding`,
  roleArn: `/installs/${installId}/role-arn`,
  deprovision: `/installs/${installId}/deprovision`,
};

export const installEnvelopeExample: InstallEnvelope = {
  install: {
    installId,
    orgId: 'acme',
    awsAccountId: '123456789012',
    region: 'us-east-1',
    phase: 'awaiting_role',
    phaseSince: '2026-12-01T09:00:01.000Z',
    sandboxNaming: 'scoped',
    steps: {
      check_input: { state: 'done', startedAt: '2026-12-01T09:00:00.000Z', finishedAt: '2026-12-01T09:00:00.100Z' },
      prepare_onboarding: {
        state: 'done',
        startedAt: '2026-12-01T09:00:00.100Z',
        finishedAt: '2026-12-01T09:00:01.000Z',
      },
    },
    onboarding: {
      externalId: '5f0c6d2e-3b7a-4c1e-9a8d-2f4b6c8e0a1b',
      vendorPrincipalArn: 'arn:aws:iam::210987654321:role/install-orchestrator',
      roleTemplateUrl: `https://vendor.example/installs/${installId}/onboarding/role-template.json`,
      callback: { callbackId: 'c0ffee', state: 'open', expiresAt: '2026-12-08T09:00:01.000Z' },
    },
    roleSubmissions: 0,
    remindersSent: 0,
  },
  links,
};

export const verificationFailedExample: VerificationAnswer = {
  verified: false,
  phase: 'awaiting_role',
  error: {
    code: 'external_id_not_enforced',
    message: 'The role can be assumed without the External ID.',
    cause: "The role's trust policy has no sts:ExternalId condition.",
    fix: 'Add a StringEquals condition on sts:ExternalId with the External ID from the onboarding kit.',
    step: 'verify_role',
    at: '2026-12-01T09:05:00.000Z',
  },
  links,
};

export const runnerRegistrationExample: RunnerRegistration = {
  registrationId: '9b1d2c3e4f5a6b7c',
  token: 'rt1.3q2p…',
  expiresAt: '2026-12-01T10:05:00.000Z',
};

export const onboardingRestartExample: OnboardingRestart = {
  callback: { state: 'open', expiresAt: '2026-12-08T09:00:01.000Z' },
  quickCreateUrl: 'https://console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?…',
  customerUrl: `https://vendor.example/customer/installs/${installId}?token=cl1.…`,
  customerUrlExpiresAt: '2026-12-08T09:00:00.000Z',
};
