import { Webhook } from 'standardwebhooks';
import { signWebhook } from '../../activities/webhooks';
import { parseWebhookConfig, WebhookConfigError } from '../../domain/webhook-endpoints';
import { buildInstallEvent, installEventTypeNames } from '../../domain/webhook-events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWorkerConfig } from '../../worker/config';
import { newWebhookSecret } from '../webhook-receiver';

const secret = newWebhookSecret();

function config(endpoint: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    endpoints: [
      {
        id: 'backend',
        url: 'https://hooks.vendor.example/installs',
        secret,
        eventTypes: ['install.failed'],
        ...endpoint,
      },
    ],
    ...extra,
  });
}

function refusal(text: string): string {
  try {
    parseWebhookConfig(text);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookConfigError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('the webhook endpoints file', () => {
  it('takes https endpoints, and http only on loopback, with the default delivery policy', () => {
    expect(parseWebhookConfig(config({}))).toEqual({
      endpoints: [
        { id: 'backend', url: 'https://hooks.vendor.example/installs', secret, eventTypes: ['install.failed'] },
      ],
      delivery: { initialInterval: '1 second', maximumInterval: '5 minutes', window: '3 days' },
    });
    expect(parseWebhookConfig(config({ url: 'http://127.0.0.1:8080/hooks' })).endpoints[0]?.url).toBe(
      'http://127.0.0.1:8080/hooks',
    );
    expect(parseWebhookConfig(config({ url: 'http://[::1]:8080/hooks' })).endpoints[0]?.url).toBe(
      'http://[::1]:8080/hooks',
    );
  });

  it.each([
    ['plain http off this host', { url: 'http://hooks.vendor.example/x' }, 'must be https'],
    ['another scheme', { url: 'ftp://hooks.vendor.example/x' }, 'must be https'],
    ['credentials in the URL', { url: 'https://user:pw@hooks.vendor.example/x' }, 'no credentials'],
    ['no URL', { url: 'not a url' }, 'is not a URL'],
    ['a secret without its prefix', { secret: secret.slice('whsec_'.length) }, 'whsec_'],
    ['a secret too short', { secret: `whsec_${Buffer.alloc(16, 1).toString('base64')}` }, 'whsec_'],
    ['an unknown event type', { eventTypes: ['install.exploded'] }, 'unknown install.exploded'],
    ['no event types', { eventTypes: [] }, 'non-empty list'],
    ['an id with a slash', { id: 'a/b' }, 'letters, digits'],
    ['an unknown field', { headers: {} }, 'unknown field(s) headers'],
  ])('refuses %s', (_, endpoint, message) => {
    const said = refusal(config(endpoint));
    expect(said).toContain(message);
    expect(said).not.toContain(secret.slice('whsec_'.length));
  });

  it('refuses more endpoints than the bound, a repeated id, bad delivery settings and non-JSON', () => {
    const many = Array.from({ length: 11 }, (_, i) => ({
      id: `e${i}`,
      url: 'https://hooks.vendor.example/x',
      secret,
      eventTypes: installEventTypeNames,
    }));
    expect(refusal(JSON.stringify({ endpoints: many }))).toContain('1 to 10 endpoints');
    const twice = JSON.parse(config({})) as { endpoints: unknown[] };
    expect(refusal(JSON.stringify({ endpoints: [...twice.endpoints, ...twice.endpoints] }))).toContain('used twice');
    expect(refusal(config({}, { delivery: { window: '30 days' } }))).toContain('delivery.window');
    expect(refusal(config({}, { delivery: { initialInterval: '10 minutes', maximumInterval: '1 minute' } }))).toContain(
      'delivery.maximumInterval',
    );
    expect(refusal('{')).toContain('not JSON');
  });
});

describe("the worker's start", () => {
  const env = { RUNNER_TOKEN_KEY: 'ab'.repeat(32), INSTALL_ORCHESTRATOR_ENV: 'development' };
  const dir = mkdtempSync(join(tmpdir(), 'webhook-config-'));

  it('reads the endpoints file WEBHOOK_ENDPOINTS_FILE names, and sends nothing without one', () => {
    const file = join(dir, 'good.json');
    writeFileSync(file, config({}));
    expect(readWorkerConfig({ ...env, WEBHOOK_ENDPOINTS_FILE: file }).webhooks?.endpoints).toHaveLength(1);
    expect(readWorkerConfig(env).webhooks).toBeUndefined();
  });

  it('stops at a file that is missing or wrong, naming it and the field', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, config({ url: 'http://hooks.vendor.example/x' }));
    expect(() => readWorkerConfig({ ...env, WEBHOOK_ENDPOINTS_FILE: file })).toThrow(
      `WEBHOOK_ENDPOINTS_FILE=${file}: endpoints[0].url: must be https`,
    );
    expect(() => readWorkerConfig({ ...env, WEBHOOK_ENDPOINTS_FILE: join(dir, 'absent.json') })).toThrow(
      'cannot be read',
    );
  });
});

describe('a signed webhook', () => {
  const event = buildInstallEvent({
    id: 'f3b0d6c2-6f0e-4c36-9d8e-2f1d1c1b0a99',
    type: 'install.phase.changed',
    time: '2026-12-01T10:00:00.000Z',
    data: {
      installId: 'acme-prod',
      orgId: 'org-acme',
      awsAccountId: '111111111111',
      phase: 'active',
      previousPhase: 'handing_off',
      sequence: 5,
      workflow: { workflowId: 'acme-prod', runId: 'r1' },
    },
  });

  it('verifies with the standardwebhooks library, and fails it once a byte of the body changes', () => {
    const body = JSON.stringify(event);
    const headers = signWebhook(secret, { id: event.id, timestampSeconds: Math.floor(Date.now() / 1000), body });
    expect(new Webhook(secret).verify(body, headers)).toEqual(event);
    expect(() => new Webhook(secret).verify(body.replace('active', 'activE'), headers)).toThrow(
      'No matching signature found',
    );
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow('No matching signature found');
  });

  it('cuts long text so an event stays far below the body bound', () => {
    const long = buildInstallEvent({
      ...event,
      id: 'x',
      data: { ...event.data, error: { message: 'x'.repeat(10_000) } },
    });
    expect(JSON.stringify(long).length).toBeLessThan(2_000);
  });
});
