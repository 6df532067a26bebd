import { createHmac } from 'node:crypto';
import { activityInfo, Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  subscribedEndpointIds,
  subscribedEventTypes,
  webhookSecretKey,
  type WebhookConfig,
} from '../domain/webhook-endpoints';
import {
  installEventSignalName,
  webhookDeliveryWorkflowId,
  webhookDeliveryWorkflowType,
  webhookLimits,
  type InstallCloudEvent,
  type InstallEventEnvelope,
  type InstallEventType,
} from '../domain/webhook-events';
import type { ActivityDeps } from './deps';

/**
 * The Standard Webhooks headers for one attempt (https://www.standardwebhooks.com/, "Signature scheme"): an HMAC-SHA256
 * of `id.timestamp.body` with the secret's bytes, base64, versioned `v1`. The timestamp is the attempt's, so a
 * receiver's replay window holds for a retry an hour later; the id is the event's, the same on every attempt.
 */
export function signWebhook(
  secret: string,
  message: { id: string; timestampSeconds: number; body: string },
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const signature = createHmac('sha256', webhookSecretKey(secret))
    .update(`${message.id}.${message.timestampSeconds}.${message.body}`)
    .digest('base64');
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(message.timestampSeconds),
    'webhook-signature': `v1,${signature}`,
  };
}

/** At most `limit` bytes of a response body, then the connection's rest is dropped: a receiver's page is not ours to read. */
async function readSome(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

export function createWebhookActivities(deps: ActivityDeps) {
  const config: WebhookConfig | undefined = deps.webhooks;
  return {
    /**
     * Hands one install event to the install's delivery workflow (signal-with-start), with the ids of the endpoints
     * subscribed to its type, never their URLs or secrets. A local activity of the install: a marker in its history,
     * no task of its own. Nothing subscribed, nothing sent.
     */
    async publishInstallEvent(input: {
      sequence: number;
      event: InstallCloudEvent;
      last?: boolean;
    }): Promise<{ endpoints: number; subscribed: InstallEventType[] }> {
      // Every type some endpoint takes: the install hands over no other, so a deployment without webhooks costs each
      // run one marker, not one per event.
      const subscribed = subscribedEventTypes(config);
      const endpointIds = subscribedEndpointIds(config, input.event.type);
      if (!config || endpointIds.length === 0) return { endpoints: 0, subscribed };
      const envelope: InstallEventEnvelope = { ...input, endpointIds, policy: config.delivery };
      await Context.current().client.workflow.signalWithStart(webhookDeliveryWorkflowType, {
        workflowId: webhookDeliveryWorkflowId(input.event.subject),
        taskQueue: activityInfo().taskQueue,
        args: [{ installId: input.event.subject }],
        signal: installEventSignalName,
        signalArgs: [envelope],
      });
      return { endpoints: endpointIds.length, subscribed };
    },

    /**
     * POSTs one event to one endpoint, signed. Any answer but a 2xx fails the attempt, and Temporal's retry policy
     * (workflows/webhook-delivery.ts) backs off; a redirect is not followed (the vendor configured this URL, not the
     * one it points to). An endpoint removed from the configuration since is skipped.
     */
    async deliverWebhook(input: {
      endpointId: string;
      event: InstallCloudEvent;
    }): Promise<{ status: number | 'skipped' }> {
      const endpoint = config?.endpoints.find(({ id }) => id === input.endpointId);
      if (!endpoint) return { status: 'skipped' };
      const body = JSON.stringify(input.event);
      if (Buffer.byteLength(body) > webhookLimits.maxBodyBytes) {
        throw ApplicationFailure.nonRetryable(
          `The event is ${Buffer.byteLength(body)} bytes, above the ${webhookLimits.maxBodyBytes} a webhook may carry.`,
          'WebhookBodyTooLarge',
        );
      }
      const headers = signWebhook(endpoint.secret, {
        id: input.event.id,
        timestampSeconds: Math.floor(Date.now() / 1000),
        body,
      });
      let response: Response;
      try {
        response = await fetch(endpoint.url, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/cloudevents+json', 'user-agent': 'install-orchestrator' },
          body,
          redirect: 'manual',
          signal: AbortSignal.any([
            AbortSignal.timeout(webhookLimits.postTimeoutMs),
            Context.current().cancellationSignal,
          ]),
        });
      } catch (error) {
        const cause = (error as Error & { cause?: Error }).cause;
        throw ApplicationFailure.retryable(
          `POST to endpoint ${endpoint.id} failed: ${cause?.message ?? (error as Error).message}`,
          'WebhookUnreachable',
        );
      }
      const excerpt = await readSome(response, webhookLimits.maxResponseBytes);
      if (response.status >= 200 && response.status < 300) return { status: response.status };
      const said = excerpt.trim().slice(0, 200);
      throw ApplicationFailure.retryable(
        `Endpoint ${endpoint.id} answered ${response.status}${response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : ''}${said ? `: ${said}` : ''}`,
        'WebhookRefused',
      );
    },
  };
}
