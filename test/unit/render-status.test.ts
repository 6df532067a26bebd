import { renderStatus } from '../../client/cli/render-status';
import type { InstallStatus } from '../../workflows/definitions';

const base: InstallStatus = {
  installId: 'acme-1',
  orgId: 'acme',
  awsAccountId: '111111111111',
  region: 'eu-west-1',
  phase: 'provisioning_sandbox',
  phaseSince: '2026-11-22T10:00:00.000Z',
  steps: {
    verify_role: { state: 'done' },
    check_permissions: { state: 'done' },
    deploy_sandbox: { state: 'running' },
  },
  roleSubmissions: 1,
  remindersSent: 0,
};

describe('the CLI status view', () => {
  it('shows the phase, its place in the lifecycle and each step with its mark', () => {
    expect(renderStatus(base)).toBe(
      [
        'install acme-1  org acme  account 111111111111  eu-west-1',
        'phase   provisioning_sandbox  (3/8)  since 2026-11-22T10:00:00.000Z',
        '  ✓ AssumeRole with External ID',
        '  ✓ permission preflight',
        '  … sandbox stack',
        '',
      ].join('\n'),
    );
  });

  it('tells the reader what to do next and what went wrong', () => {
    const text = renderStatus({
      ...base,
      phase: 'awaiting_role',
      lastError: {
        code: 'external_id_not_enforced',
        message: 'The role can be assumed without the External ID.',
        cause: 'Anyone who learns the ARN could use it.',
        fix: 'Add the condition.',
        at: '',
      },
    });
    expect(text).toContain('because     Anyone who learns the ARN could use it.');
    expect(text).toContain('last error  external_id_not_enforced: The role can be assumed without the External ID.');
    expect(text).toContain('to fix      Add the condition.');
    expect(text).toContain('next    create the role from the onboarding kit and submit its ARN');
  });

  it('names the role the runner must run as while handing off, and the session STS vouched for once it checked in', () => {
    const runner = {
      registrationId: 'ab12',
      tokenSha256: '0'.repeat(64),
      expectedIdentity: 'arn:aws:iam::111111111111:role/i6-acme-1-runner',
      expiresAt: '2026-11-23T10:00:00.000Z',
    };
    const waiting = renderStatus({ ...base, phase: 'handing_off', runner });
    expect(waiting).toContain('next    start the runner with its registration token and identity proof');
    expect(waiting).toContain('running as arn:aws:iam::111111111111:role/i6-acme-1-runner');
    const session = 'arn:aws:sts::111111111111:assumed-role/i6-acme-1-runner/i-0abc';
    const checkedIn = renderStatus({ ...base, phase: 'active', runner: { ...runner, verifiedIdentity: session } });
    expect(checkedIn).toContain(`runner  ${session} (verified by STS)`);
    expect(checkedIn).not.toContain('running as');
  });

  it('shows when the install was last checked and what drifted, with its fix', () => {
    const role = { arn: 'arn:aws:iam::111111111111:role/r', lastVerifiedAt: '2026-11-22T10:00:00.000Z' };
    const healthy = renderStatus({ ...base, phase: 'active', role: { ...role, lastCheckedAt: role.lastVerifiedAt } });
    expect(healthy).toContain('health  passing, last checked 2026-11-22T10:00:00.000Z');
    const degraded = renderStatus({
      ...base,
      phase: 'degraded',
      role: {
        ...role,
        lastCheckedAt: '2026-11-22T11:00:00.000Z',
        drift: {
          code: 'external_id_not_enforced',
          message: 'The role no longer requires the External ID.',
          fix: 'Add the condition.',
          at: '2026-11-22T11:00:00.000Z',
        },
      },
    });
    expect(degraded).toContain(
      'health  failing since 2026-11-22T11:00:00.000Z, last checked 2026-11-22T11:00:00.000Z, last passed 2026-11-22T10:00:00.000Z',
    );
    expect(degraded).toContain('drift   external_id_not_enforced: The role no longer requires the External ID.');
    expect(degraded).toContain('to fix  Add the condition.');
  });

  it('lists what deprovisioning left behind', () => {
    const text = renderStatus({
      ...base,
      phase: 'deprovisioned',
      deprovision: {
        requestedAt: '',
        leftovers: [{ resource: 's3 bucket', identifier: 'cur-x', reason: 'BucketNotEmpty' }],
      },
    });
    expect(text).toContain('left behind  s3 bucket cur-x: BucketNotEmpty');
  });

  it('says the install is waiting for its first cost report, and when it arrived', () => {
    const cur = { bucket: 'b', prefix: 'p', reportName: 'r' };
    const watch = { watchWorkflowId: 'acme-1/first-report-watch', since: '2026-11-22T10:00:00.000Z' };
    const waiting = renderStatus({
      ...base,
      phase: 'active',
      cur: { ...cur, firstReport: { ...watch, state: 'waiting' } },
    });
    expect(waiting).toContain('cost report  waiting for first report (since 2026-11-22T10:00:00.000Z');
    const delivered = renderStatus({
      ...base,
      phase: 'active',
      cur: { ...cur, firstReport: { ...watch, state: 'delivered' }, firstDeliveredAt: '2026-11-23T02:00:00.000Z' },
    });
    expect(delivered).toContain('cost report  first report delivered at 2026-11-23T02:00:00.000Z');
  });

  it('shows the step of an External ID rotation and what the customer must do', () => {
    const rotation = {
      requestedAt: '2026-11-22T10:00:00.000Z',
      expiresAt: '2026-11-24T10:00:00.000Z',
      pollEvery: '1 minute',
      polls: 3,
    };
    const waiting = renderStatus({
      ...base,
      phase: 'active',
      externalIdRotation: { ...rotation, step: 'awaiting_trust_update', customerAction: 'Update the trust policy.' },
    });
    expect(waiting).toContain(
      'external ID rotation  awaiting_trust_update (asked 2026-11-22T10:00:00.000Z, new ID expires 2026-11-24T10:00:00.000Z)\n',
    );
    expect(waiting).toContain('customer              Update the trust policy.\n');
    const done = renderStatus({ ...base, phase: 'active', externalIdRotation: { ...rotation, step: 'completed' } });
    expect(done).toContain('external ID rotation  completed (asked 2026-11-22T10:00:00.000Z)\n');
    expect(done).not.toContain('customer ');
  });

  it('names a webhook endpoint whose deliveries fail, with what it answered', () => {
    const out = renderStatus({
      ...base,
      webhooks: [
        {
          endpointId: 'billing-backend',
          pending: 3,
          lastError: 'Endpoint billing-backend answered 503: down',
          failingSince: '2026-11-22T10:05:00.000Z',
          dropped: 0,
        },
      ],
    });
    expect(out).toContain(
      'webhook      billing-backend: 3 pending, failing since 2026-11-22T10:05:00.000Z: Endpoint billing-backend answered 503: down\n',
    );
  });
});
