import { randomBytes } from 'node:crypto';
import { customerView, escapeHtml, renderProgress, renderRoleResult } from '../../client/api/customer-page/view';
import { checkedPublicUrl, customerLinkTtlMs } from '../../client/api/customer-page/link';
import {
  customerLinkTtlBounds,
  mintCustomerLinkToken,
  readCustomerLinkToken,
} from '../../security/customer-link-token';
import type { InstallStatus } from '../../workflows/definitions';

const key = randomBytes(32);
const now = Date.parse('2026-12-01T10:00:00Z');

describe('the customer link token', () => {
  const token = mintCustomerLinkToken(key, 'acme-1', 'abc123', now + 60_000);

  it('reads back the generation and expiry it was minted with', () => {
    expect(readCustomerLinkToken(key, 'acme-1', token, now)).toEqual({
      ok: true,
      generation: 'abc123',
      expiresAt: '2026-12-01T10:01:00.000Z',
    });
  });

  it('is expired from its expiry on', () => {
    expect(readCustomerLinkToken(key, 'acme-1', token, now + 60_000)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('is worthless for another install, under another key, or with any part changed', () => {
    const [generation, expiry, mac] = token.split('.') as [string, string, string];
    const tampered = [
      `${generation}0.${expiry}.${mac}`,
      `${generation}.${Number(expiry) + 3600}.${mac}`,
      `${generation}.${expiry}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      '',
      'not a token',
    ];
    expect(readCustomerLinkToken(key, 'acme-2', token, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(readCustomerLinkToken(randomBytes(32), 'acme-1', token, now)).toEqual({ ok: false, reason: 'invalid' });
    for (const forged of tampered) {
      expect(readCustomerLinkToken(key, 'acme-1', forged, now)).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('refuses a lifetime outside its bounds at start', () => {
    expect(customerLinkTtlMs({})).toBe(customerLinkTtlBounds.defaultMs);
    expect(() => customerLinkTtlMs({ customerLinkTtlMs: customerLinkTtlBounds.maxMs + 1 })).toThrow(/between/);
    expect(() => customerLinkTtlMs({ customerLinkTtlMs: 1000 })).toThrow(/between/);
  });
});

describe("the customer page's view of an install", () => {
  const base: InstallStatus = {
    installId: 'acme-1',
    orgId: 'acme',
    awsAccountId: '111111111111',
    region: 'us-east-1',
    phase: 'awaiting_role',
    phaseSince: '2026-12-01T09:59:00Z',
    steps: {},
    roleSubmissions: 1,
    remindersSent: 0,
  };

  it('escapes every string it renders, even from AWS or the status', () => {
    const hostile = '<img src=x onerror=alert(1)>"\'&';
    const view = customerView({
      ...base,
      steps: {
        verify_role: { state: 'failed', startedAt: '2026-12-01T09:59:10Z', finishedAt: '2026-12-01T09:59:12Z' },
      },
      lastError: { code: 'RoleNotAssumable', message: hostile, at: '2026-12-01T09:59:12Z', step: 'verify_role' },
      role: { arn: hostile },
    });
    const html = renderRoleResult(view) + renderProgress(view, now);
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml(hostile));
    expect(escapeHtml(hostile)).toBe('&#60;img src=x onerror=alert(1)&#62;&#34;&#39;&#38;');
  });

  it("shows a failed verification with the catalog's cause and fix while the customer can act on it", () => {
    const view = customerView({
      ...base,
      steps: {
        verify_role: { state: 'failed', startedAt: '2026-12-01T09:59:10Z', finishedAt: '2026-12-01T09:59:12Z' },
      },
      lastError: { code: 'RoleNotAssumable', message: 'refused', at: '2026-12-01T09:59:12Z', step: 'verify_role' },
    });
    expect(view.stages[0]).toMatchObject({ id: 'verify', state: 'failed' });
    expect(view.problem).toMatchObject({ code: 'role_not_assumable', fix: expect.stringContaining('trust policy') });
  });

  it('says it waits for AWS only once AssumeRole has been refused for a moment', () => {
    const verifying: InstallStatus = {
      ...base,
      phase: 'verifying_role',
      role: { arn: 'arn:aws:iam::111111111111:role/r' },
      steps: { verify_role: { state: 'running', startedAt: new Date(now - 500).toISOString() } },
    };
    expect(customerView(verifying, now).waitingForAws).toBe(false);
    expect(customerView(verifying, now + 2000).waitingForAws).toBe(true);
    expect(renderRoleResult(customerView(verifying, now + 2000))).toContain('Waiting for AWS to make the role usable');
  });

  it('marks earlier stages done, the current one running, and approval not needed when none was asked', () => {
    const view = customerView({
      ...base,
      phase: 'configuring_cur',
      steps: {
        verify_role: { state: 'done', startedAt: '2026-12-01T09:59:10Z', finishedAt: '2026-12-01T09:59:11Z' },
        deploy_sandbox: { state: 'done', startedAt: '2026-12-01T09:59:11Z', finishedAt: '2026-12-01T09:59:41Z' },
        create_cur_bucket: { state: 'running', startedAt: '2026-12-01T09:59:41Z' },
      },
    });
    expect(view.stages.map((stage) => [stage.id, stage.state])).toEqual([
      ['verify', 'done'],
      ['approval', 'skipped'],
      ['sandbox', 'done'],
      ['cost_report', 'running'],
      ['runner', 'pending'],
    ]);
    expect(renderProgress(view, now)).toContain('took 30 s');
    expect(view.finished).toBe(false);
  });
});

describe('PUBLIC_URL, which goes into every customer link', () => {
  it('takes an http(s) origin with a path, without its trailing slash', () => {
    expect(checkedPublicUrl('https://onboard.vendor.example/api/')).toBe('https://onboard.vendor.example/api');
    expect(checkedPublicUrl('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
  });

  it.each([
    ['javascript:alert(1)', /http or https/],
    ['not a url', /http\(s\) URL/],
    [`https://vendor.example/${'a'.repeat(2100)}`, /at most 2048/],
    ['https://user:secret@vendor.example', /no credentials, query or fragment/],
    ['https://vendor.example/?token=x', /no credentials, query or fragment/],
    ['https://vendor.example/#frag', /no credentials, query or fragment/],
  ])('refuses %s', (raw, message) => {
    expect(() => checkedPublicUrl(raw)).toThrow(message);
  });
});
