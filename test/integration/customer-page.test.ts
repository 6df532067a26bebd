import { mintCustomerLinkToken } from '../../security/customer-link-token';
import { countingInstalls, startInstallWithCustomerLink, startTestApi, type TestApi } from '../api-server';
import { customerAccount, otherAccount, runnerTokenKey, uniqueInstallId, withTestWorker } from '../helpers';
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';

const problemType = (slug: string) => `urn:install-orchestrator:problem:${slug}`;
const pushIntervalMs = 500;

/**
 * Reads server-sent events from a stream until `enough` says so, the server ends it, or the deadline passes. Over
 * node:http with a socket of its own, destroyed when done, so no pooled connection outlives the test.
 */
function readEvents(
  url: string,
  enough: (events: Array<{ event: string; data: unknown }>) => boolean,
  timeoutMs = 30_000,
  /** Called once the server has answered 200 and the stream is open. */
  onOpen?: () => void,
): Promise<{ status: number; events: Array<{ event: string; data: unknown }>; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const events: Array<{ event: string; data: unknown }> = [];
    const request = get(url, { agent: false }, (response) => {
      const finish = (ended: boolean) => {
        clearTimeout(timer);
        request.destroy();
        resolve({ status: response.statusCode ?? 0, events, ended });
      };
      if (response.statusCode !== 200) return finish(true);
      onOpen?.();
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let at: number;
        while ((at = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
        if (enough(events)) finish(false);
      });
      response.on('end', () => finish(true));
      timer = setTimeout(() => finish(false), timeoutMs);
    });
    let timer: NodeJS.Timeout | undefined;
    request.on('error', (error) => {
      if (!request.destroyed) reject(error);
    });
  });
}

describe("the customer's onboarding page: a signed link that grants only this install's page", () => {
  const taskQueue = `customer-page-${randomBytes(6).toString('hex')}`;
  const statusReads: string[] = [];
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({
      taskQueue,
      installs: await countingInstalls(taskQueue, statusReads),
      customerPage: { pushIntervalMs, maxStreamsPerInstall: 3 },
    });
  });
  afterAll(async () => {
    const closing = Date.now();
    await api?.app.close();
    // Open streams must not hold the server open: it closes at once, not after the keep-alive timeout.
    expect(Date.now() - closing).toBeLessThan(5000);
  });

  async function startInstall(label: string) {
    const installId = uniqueInstallId(label);
    const { customerUrl, kit } = await startInstallWithCustomerLink(api, installId, {
      orgId: 'org-customer-page',
      timeouts: { rolePropagation: '5 seconds', runnerCheckIn: '30 seconds' },
    });
    const link = new URL(customerUrl);
    return { installId, link, token: link.searchParams.get('token')!, kit };
  }

  /** As the customer's browser calls it: no API key. */
  const asCustomer = (method: string, path: string, body?: unknown) =>
    api.call(method, path, body, { authorization: '' });

  it('serves the page with the link alone, under a strict CSP, and refuses forged, foreign, expired and revoked links', async () => {
    await withTestWorker(
      async () => {
        const mine = await startInstall('page');
        const theirs = await startInstall('page-other');
        expect(mine.link.pathname).toBe(`/customer/installs/${mine.installId}`);

        const page = await fetch(mine.link);
        expect(page.status).toBe(200);
        expect(page.headers.get('content-type')).toMatch(/^text\/html/);
        expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
        expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
        expect(page.headers.get('referrer-policy')).toBe('no-referrer');
        const html = await page.text();
        expect(html).toContain(mine.kit.externalId);
        expect(html).not.toMatch(/<script>|style=/);

        const path = `/customer/installs/${mine.installId}`;
        const forged = `${mine.token.slice(0, -1)}${mine.token.endsWith('A') ? 'B' : 'A'}`;
        for (const token of [theirs.token, forged]) {
          const refused = await asCustomer('GET', `${path}?token=${token}`);
          expect(refused.status).toBe(401);
          expect(refused.body.type).toBe(problemType('invalid-customer-link'));
        }
        const generation = mine.token.split('.')[0]!;
        const expired = mintCustomerLinkToken(runnerTokenKey, mine.installId, generation, Date.now() - 1000);
        const gone = await asCustomer('GET', `${path}?token=${expired}`);
        expect(gone.status).toBe(410);
        expect(gone.body).toMatchObject({ type: problemType('customer-link-expired'), reason: 'expired' });

        // The link is not an API key, and the API key's routes stay closed to it.
        const vendorRoute = await api.call('GET', `/installs/${mine.installId}`, undefined, {
          authorization: `Bearer ${mine.token}`,
        });
        expect(vendorRoute.status).toBe(401);

        const restarted = await api.call('POST', `/installs/${mine.installId}/onboarding/restart`);
        expect(restarted.status).toBe(200);
        const revoked = await asCustomer('GET', `${path}?token=${mine.token}`);
        expect(revoked.status).toBe(410);
        expect(revoked.body.reason).toBe('revoked');
        expect((await fetch(restarted.body.customerUrl)).status).toBe(200);

        for (const { installId } of [mine, theirs]) await api.call('POST', `/installs/${installId}/deprovision`, {});
      },
      { taskQueue },
    );
  });

  it('answers a pasted ARN at once: format, account and partition with the catalog cause and fix', async () => {
    await withTestWorker(
      async () => {
        const { installId, token } = await startInstall('page-arn');
        const post = (roleArn: string) =>
          asCustomer('POST', `/customer/installs/${installId}/role-arn?token=${token}`, { roleArn });
        const cases = [
          [`arn:aws:iam::${otherAccount.accountId}:role/x`, 'wrong_account'],
          [`arn:aws-cn:iam::${customerAccount.accountId}:role/x`, 'wrong_partition'],
          ['not an arn', 'not_an_arn'],
        ] as const;
        for (const [roleArn, code] of cases) {
          const answer = await post(roleArn);
          expect(answer.status).toBe(400);
          expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(answer.body).toMatchObject({ type: problemType('invalid-role-arn'), code });
          expect(answer.body.cause).toEqual(expect.any(String));
          expect(answer.body.fix).toEqual(expect.any(String));
        }
        const status = await api.call('GET', `/installs/${installId}`);
        expect(status.body.install).toMatchObject({ phase: 'awaiting_role', roleSubmissions: 0 });
        await api.call('POST', `/installs/${installId}/deprovision`, {});
      },
      { taskQueue },
    );
  });

  it('pushes progress over one shared status read per interval, bounds the streams, and ends them when the install ends', async () => {
    await withTestWorker(
      async () => {
        const { installId, token } = await startInstall('page-stream');
        const events = `${api.url}/customer/installs/${installId}/events?token=${token}`;
        statusReads.length = 0;
        const windowMs = 3000;
        let opened = 0;
        let allOpen: () => void = () => undefined;
        const threeOpen = new Promise<void>((resolve) => (allOpen = resolve));
        const watching = [1, 2, 3].map(() =>
          readEvents(
            events,
            () => false,
            windowMs,
            () => {
              opened += 1;
              if (opened === 3) allOpen();
            },
          ),
        );
        // Once the three are open (not merely asked for), a fourth page is one too many for this install.
        await threeOpen;
        const refused = await readEvents(events, () => true);
        const pages = await Promise.all(watching);
        expect(refused.status).toBe(429);
        for (const page of pages) {
          expect(page.events[0]).toMatchObject({
            event: 'progress',
            data: { phase: 'awaiting_role', finished: false },
          });
        }
        const reads = statusReads.filter((name) => name === 'status').length;
        // Three pages for three seconds at one read per 500 ms: seven reads at most, not twenty-one.
        expect(reads).toBeLessThanOrEqual(windowMs / pushIntervalMs + 1);
        expect(reads).toBeGreaterThanOrEqual(2);

        const following = readEvents(events, () => false, 30_000);
        await api.call('POST', `/installs/${installId}/deprovision`, {});
        const last = await following;
        expect(last.ended).toBe(true);
        expect(last.events.at(-1)).toMatchObject({ event: 'progress', data: { finished: true } });
      },
      { taskQueue },
    );
  });
});
