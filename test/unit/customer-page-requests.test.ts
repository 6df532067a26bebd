import { renderCustomerPage } from '../../client/api/customer-page/render-page';
import { announce, customerView } from '../../client/api/customer-page/view';
import { rotationCustomerActions } from '../../domain/external-id-rotation';
import { renderOnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { renderOnboardingKit } from '../../domain/onboarding-kit';
import type { InstallStatus } from '../../workflows/definitions';

/**
 * What the customer page asks of the customer once the install is running: an External ID rotation's two steps and a
 * permission upgrade, each with what to do and the kit's files that do it; nothing when nothing is asked.
 */
const currentId = 'c'.repeat(48);
const newId = 'n'.repeat(48);
const active: InstallStatus = {
  installId: 'acme-1',
  orgId: 'acme',
  awsAccountId: '111111111111',
  region: 'us-east-1',
  phase: 'active',
  phaseSince: '2026-12-01T10:00:00Z',
  steps: {},
  roleSubmissions: 1,
  remindersSent: 0,
  role: { arn: 'arn:aws:iam::111111111111:role/install-acme-1-access', verifiedAt: '2026-12-01T09:00:00Z' },
  onboarding: {
    externalId: currentId,
    vendorPrincipalArn: 'arn:aws:iam::123456789012:role/vendor',
    roleTemplateUrl: 'https://templates.example/acme-1/role-template.json',
  } as InstallStatus['onboarding'],
};

function page(status: InstallStatus, newExternalId?: string): string {
  const artifacts = renderOnboardingArtifacts({
    install: { installId: status.installId, awsAccountId: status.awsAccountId, region: status.region },
    externalId: currentId,
    ...(newExternalId ? { newExternalId } : {}),
    vendorPrincipalArn: 'arn:aws:iam::123456789012:role/vendor',
    roleTemplateUrl: 'https://templates.example/acme-1/role-template.json',
  });
  return renderCustomerPage({
    status,
    artifacts,
    files: renderOnboardingKit(artifacts),
    urls: { file: (name) => `/f/${name}`, roleArn: '/r', events: '/e' },
    expiresAt: '2026-12-02T00:00:00.000Z',
  });
}

const rotating = (step: 'awaiting_trust_update' | 'awaiting_old_id_removal'): InstallStatus => ({
  ...active,
  onboarding: { ...active.onboarding!, ...(step === 'awaiting_trust_update' ? { nextExternalId: newId } : {}) },
  externalIdRotation: {
    step,
    requestedAt: '2026-12-01T10:00:00Z',
    expiresAt: '2026-12-03T10:00:00.000Z',
    pollEvery: '1 minute',
    polls: 3,
    customerAction: rotationCustomerActions[step],
  },
});

describe('the customer page, once the install asks something of the customer', () => {
  it('asks nothing of an active install with no rotation or upgrade under way', () => {
    const html = page(active);
    expect(html).not.toContain('Asked of you now');
    expect(customerView(active).requests).toEqual([]);
    expect(announce(customerView(active))).toBe('Your install is active. Nothing more to do.');
  });

  it('asks for the new External ID beside the current one, until the expiry, with the files that update the role', () => {
    const status = rotating('awaiting_trust_update');
    const html = page(status, newId);
    expect(html).toContain('Asked of you now');
    expect(html).toContain('Let the role accept a new External ID');
    expect(html).toContain(`<code>${newId}</code>`);
    expect(html).toContain('By 2026-12-03 10:00:00 UTC');
    expect(html).toContain('href="/f/update-role-stack.sh"');
    expect(html).toContain('href="/f/update-trust-policy.sh"');
    expect(announce(customerView(status))).toBe('Asked of you: Let the role accept a new External ID.');
  });

  it('asks for the old External ID to be removed once the install switched, without showing a new one', () => {
    const status = rotating('awaiting_old_id_removal');
    const html = page(status);
    expect(html).toContain('Remove the old External ID from the role');
    expect(html).toContain(rotationCustomerActions.awaiting_old_id_removal.replace(/'/g, '&#39;'));
    expect(html).not.toContain('New External ID');
  });

  it('lists the actions a permission upgrade still needs, with the new provision policy and template', () => {
    const status: InstallStatus = {
      ...active,
      phase: 'awaiting_permission_upgrade',
      permissions: {
        version: 1,
        upgrade: {
          fromVersion: 1,
          toVersion: 2,
          addedActions: ['iam:CreateRole on arn:aws:iam::111111111111:role/i15-acme-1-runner'],
          missing: ['iam:CreateRole on arn:aws:iam::111111111111:role/i15-acme-1-runner'],
          conditional: [],
          askedAt: '2026-12-01T10:00:00Z',
          lastCheckedAt: '2026-12-01T10:00:00Z',
          checks: 1,
          pollsLeft: 95,
        },
      },
    };
    const html = page(status);
    expect(html).toContain('Grant what version 2 of the vendor&#39;s permissions adds');
    expect(html).toContain('<code>iam:CreateRole on arn:aws:iam::111111111111:role/i15-acme-1-runner</code>');
    expect(html).toContain('href="/f/provision-policy.json"');
    // Granted meanwhile (the last check found nothing missing): nothing is asked any more.
    const granted = {
      ...status,
      permissions: { ...status.permissions!, upgrade: { ...status.permissions!.upgrade!, missing: [] } },
    };
    expect(customerView(granted).requests).toEqual([]);
  });
});
