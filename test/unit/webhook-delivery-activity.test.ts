import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActivityDeps } from '../../activities/deps';
import { createWebhookActivities } from '../../activities/webhooks';
import { parseWebhookConfig } from '../../domain/webhook-endpoints';
import { buildInstallEvent } from '../../domain/webhook-events';
import { newWebhookSecret } from '../webhook-receiver';
import { quietActivityEnvironment } from './aws-fakes';

const event = buildInstallEvent({
  id: 'e-1',
  type: 'install.phase.changed',
  time: '2026-12-01T10:00:00.000Z',
  data: {
    installId: 'i-1',
    orgId: 'o-1',
    awsAccountId: '111111111111',
    phase: 'active',
    sequence: 1,
    workflow: { workflowId: 'i-1', runId: 'r-1' },
  },
});

/** A loopback server answering every request with `answer`, counting what it was sent and what it managed to write. */
async function serve(answer: (response: ServerResponse) => void) {
  const seen = { requests: 0, bytesWritten: 0 };
  const server: Server = createServer((request, response) => {
    seen.requests += 1;
    request.resume();
    request.on('end', () => answer(response));
    response.on('close', () => {
      seen.bytesWritten = response.socket?.bytesWritten ?? seen.bytesWritten;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function activitiesFor(url: string) {
  const webhooks = parseWebhookConfig(
    JSON.stringify({
      endpoints: [{ id: 'backend', url, secret: newWebhookSecret(), eventTypes: ['install.phase.changed'] }],
    }),
  );
  return createWebhookActivities({ webhooks } as ActivityDeps);
}

async function deliveryError(url: string, endpointId = 'backend'): Promise<Error & { type?: string }> {
  const { deliverWebhook } = activitiesFor(url);
  try {
    await quietActivityEnvironment().run(deliverWebhook, { endpointId, event });
  } catch (error) {
    return error as Error & { type?: string };
  }
  throw new Error('delivered');
}

describe('deliverWebhook: one signed POST, within bounds', () => {
  it('does not follow a redirect: the attempt fails and the other URL is never asked', async () => {
    const elsewhere = await serve((response) => response.writeHead(204).end());
    const redirecting = await serve((response) => response.writeHead(307, { location: elsewhere.url }).end());
    try {
      const error = await deliveryError(redirecting.url);
      expect(error.message).toBe('Endpoint backend answered 307 (redirects are not followed)');
      expect(error.type).toBe('WebhookRefused');
      expect(elsewhere.seen.requests).toBe(0);
    } finally {
      await Promise.all([elsewhere.close(), redirecting.close()]);
    }
  });

  it('reads a few KiB of an answer, however large, and quotes 200 characters of it', async () => {
    const huge = await serve((response) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      // 8 MiB, written as fast as the socket takes it: more than the socket buffers hold, unless read.
      const chunk = 'x'.repeat(64 * 1024);
      let left = 128;
      const write = () => {
        while (left > 0 && response.write(chunk)) left -= 1;
        if (left > 0 && !response.destroyed) response.once('drain', write);
        else response.end();
      };
      write();
    });
    try {
      const error = await deliveryError(huge.url);
      expect(error.message).toBe(`Endpoint backend answered 500: ${'x'.repeat(200)}`);
      await new Promise((resolve) => setImmediate(resolve));
      expect(huge.seen.bytesWritten).toBeLessThan(4 * 1024 * 1024);
    } finally {
      await huge.close();
    }
  });

  it('succeeds on any 2xx, and skips an endpoint no longer configured', async () => {
    const ok = await serve((response) => response.writeHead(202).end());
    try {
      const { deliverWebhook } = activitiesFor(ok.url);
      await expect(quietActivityEnvironment().run(deliverWebhook, { endpointId: 'backend', event })).resolves.toEqual({
        status: 202,
      });
      await expect(quietActivityEnvironment().run(deliverWebhook, { endpointId: 'gone', event })).resolves.toEqual({
        status: 'skipped',
      });
      expect(ok.seen.requests).toBe(1);
    } finally {
      await ok.close();
    }
  });

  it('names an endpoint that cannot be reached', async () => {
    const closed = await serve((response) => response.end());
    await closed.close();
    const error = await deliveryError(closed.url);
    expect(error.message).toMatch(/^POST to endpoint backend failed: .*ECONNREFUSED/);
    expect(error.type).toBe('WebhookUnreachable');
  });
});
