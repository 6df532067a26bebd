import { createActivities } from '../../activities';
import type { ActivityDeps } from '../../activities/deps';
import { ConfigError } from '../../config/deployment';
import { activitiesWithoutVendorCalls, callsAwsAsVendor, vendorCallsPerSecond } from '../../domain/vendor-calls';
import { buildInstallEvent } from '../../domain/webhook-events';
import { readWorkerConfig } from '../../worker/config';

const callAsVendor = () => {
  throw new Error('called AWS as the vendor principal');
};

/** Dependencies in which any use of the vendor's AWS identity, directly or through a customer session, throws. */
function depsWithoutVendorIdentity(): ActivityDeps {
  return {
    aws: { vendorSts: callAsVendor, customer: callAsVendor },
    sessions: new Proxy({}, { get: () => callAsVendor }),
    vendor: { principalArn: 'arn:aws:iam::123456789012:role/vendor', roleTemplateBaseUrl: 'http://127.0.0.1/installs' },
    runnerTokenKey: new Uint8Array(32).fill(7),
    pollIntervalMs: 1,
    notify: async () => undefined,
    randomBytes: (size: number) => new Uint8Array(size).fill(1),
    durationFloor: 'production',
  } as unknown as ActivityDeps;
}

describe('the vendor-calls task queue: which activities the vendor principal ceiling counts', () => {
  const activities = createActivities(depsWithoutVendorIdentity());

  it('keeps off it only activities that exist, so a rename cannot quietly move one', () => {
    for (const name of activitiesWithoutVendorCalls) expect(Object.keys(activities)).toContain(name);
  });

  it('keeps off it only activities that run without the vendor identity at all', async () => {
    const { prepareOnboarding, readInputLimits, sendRoleReminder, issueRunnerRegistration } = activities;
    await expect(prepareOnboarding({ installId: 'i-1' })).resolves.toMatchObject({ externalId: expect.any(String) });
    await expect(readInputLimits()).resolves.toEqual({ durationFloor: 'production', subscribedEventTypes: [] });
    await expect(
      sendRoleReminder({ installId: 'i-1', orgId: 'o-1', waitingSince: '2026-01-01T00:00:00.000Z' }),
    ).resolves.toBeUndefined();
    await expect(issueRunnerRegistration({ installId: 'i-1' })).resolves.toMatchObject({
      registrationId: expect.any(String),
    });
    // The webhook activities, without endpoints configured here, answer without AWS (or anything else) too.
    const { publishInstallEvent, deliverWebhook } = activities;
    const event = buildInstallEvent({
      id: 'e-1',
      type: 'install.failed',
      time: '2026-01-01T00:00:00.000Z',
      data: {
        installId: 'i-1',
        orgId: 'o-1',
        awsAccountId: '111111111111',
        phase: 'failed',
        sequence: 1,
        workflow: { workflowId: 'i-1', runId: 'r-1' },
      },
    });
    await expect(publishInstallEvent({ sequence: 1, event })).resolves.toEqual({ endpoints: 0, subscribed: [] });
    await expect(deliverWebhook({ endpointId: 'backend', event })).resolves.toEqual({ status: 'skipped' });
    expect(activitiesWithoutVendorCalls).toHaveLength(6);
  });

  it('routes every other activity to it, the AssumeRole ones first among them, and any activity added later', () => {
    const routed = Object.keys(activities).filter(callsAwsAsVendor);
    expect(routed).toEqual(
      expect.arrayContaining([
        'verifyRoleAccess',
        'probeRoleWithoutExternalId',
        'probeRoleWithWrongExternalId',
        'checkRoleTrustPolicy',
        'inspectSandboxStack',
        'inspectCostReport',
        'inspectDataExport',
        'findReportManifest',
        'deploySandboxStack',
        'deleteCurBucket',
      ]),
    );
    expect(routed).toHaveLength(Object.keys(activities).length - activitiesWithoutVendorCalls.length);
    expect(callsAwsAsVendor('anActivityNotWrittenYet')).toBe(true);
  });
});

describe('VENDOR_CALLS_PER_SECOND', () => {
  const env = { RUNNER_TOKEN_KEY: 'a'.repeat(64) };

  it('defaults to half the STS quota AWS documents, 300 a second', () => {
    expect(readWorkerConfig(env).vendorCallsPerSecond).toBe(300);
    expect(vendorCallsPerSecond.default).toBe(300);
  });

  it('takes a ceiling from 1 to 600 a second, and refuses anything else at start', () => {
    expect(readWorkerConfig({ ...env, VENDOR_CALLS_PER_SECOND: '50' }).vendorCallsPerSecond).toBe(50);
    expect(readWorkerConfig({ ...env, VENDOR_CALLS_PER_SECOND: '2.5' }).vendorCallsPerSecond).toBe(2.5);
    for (const bad of ['0', '0.5', '601', 'fast', '-1', 'Infinity']) {
      expect(() => readWorkerConfig({ ...env, VENDOR_CALLS_PER_SECOND: bad })).toThrow(ConfigError);
    }
  });
});
