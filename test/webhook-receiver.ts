import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { InstallCloudEvent } from '../domain/webhook-events';

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  /** What the published Standard Webhooks library made of the request: the event, or why it refused it. */
  verified: InstallCloudEvent | { refused: string };
}

/** A fresh secret in the Standard Webhooks form. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * A vendor's receiver on loopback: verifies each request with the `standardwebhooks` library and records it.
 * `answer` decides the response (an outage answers 503); `hold` keeps a request's response back until released.
 */
export async function startWebhookReceiver(secret: string) {
  const received: ReceivedWebhook[] = [];
  const webhook = new Webhook(secret);
  const state: {
    answer: number;
    hold?: (event: InstallCloudEvent) => boolean;
    held: Array<() => void>;
  } = { answer: 204, held: [] };
  const heldChanged: Array<() => void> = [];

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([key, value]) => [
          key,
          Array.isArray(value) ? value.join(',') : (value ?? ''),
        ]),
      );
      let verified: ReceivedWebhook['verified'];
      try {
        verified = webhook.verify(body, headers) as InstallCloudEvent;
      } catch (error) {
        verified = { refused: (error as Error).message };
      }
      received.push({ headers, body, verified });
      const respond = () => {
        if (!response.destroyed) response.writeHead(state.answer).end(state.answer >= 300 ? 'receiver is down' : '');
      };
      if ('id' in verified && state.hold?.(verified)) {
        state.held.push(respond);
        heldChanged.splice(0).forEach((notify) => notify());
        return;
      }
      respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** The verified events, one per webhook-id (a receiver dedupes by it), in the order they first arrived. */
    events(): InstallCloudEvent[] {
      const seen = new Set<string>();
      const events: InstallCloudEvent[] = [];
      for (const { verified } of received) {
        if (!('id' in verified) || seen.has(verified.id)) continue;
        seen.add(verified.id);
        events.push(verified);
      }
      return events;
    },
    answerWith(status: number): void {
      state.answer = status;
    },
    holdWhen(predicate: ((event: InstallCloudEvent) => boolean) | undefined): void {
      state.hold = predicate;
    },
    /** Resolves once a request is being held. */
    whenHolding(): Promise<void> {
      return state.held.length > 0 ? Promise.resolve() : new Promise((resolve) => heldChanged.push(resolve));
    },
    release(): void {
      state.hold = undefined;
      state.held.splice(0).forEach((respond) => respond());
    },
    close(): Promise<void> {
      this.release();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
