/**
 * The events an install pushes to the vendor's webhook endpoints: their types, in one place, and their shape, a
 * CloudEvents 1.0 JSON document (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md)
 * sent as the body of a Standard Webhooks request (https://www.standardwebhooks.com/). Pure: the workflows build
 * events with it, the activities and the README describe them with it.
 */

/** Every event type, with when it is sent: the README's table is this one. */
export const installEventTypes = {
  'install.phase.changed': 'The install entered another phase (data.phase, data.previousPhase).',
  'install.failed': 'The install failed; data.error has the catalog code, cause and fix.',
  'install.drift.detected': 'A re-verification found the role, stack or report changed; data.drift says what.',
  'install.drift.resolved': 'A re-verification passed again after drift; the install is active again.',
  'install.first_report.delivered': 'AWS delivered the first cost report to the bucket (data.firstReport).',
  'install.deprovisioned': 'Deprovisioning finished; data.leftovers lists what could not be removed.',
  'install.external_id.rotation':
    'An External ID rotation moved to another step (data.externalIdRotation.step; the IDs are never sent).',
} as const;

export type InstallEventType = keyof typeof installEventTypes;

export const installEventTypeNames = Object.keys(installEventTypes) as InstallEventType[];

export function isInstallEventType(value: unknown): value is InstallEventType {
  return typeof value === 'string' && Object.hasOwn(installEventTypes, value);
}

/** What every event's data holds, besides what its type adds. */
export interface InstallEventData {
  installId: string;
  orgId: string;
  awsAccountId: string;
  /** The install's phase when the event happened. */
  phase: string;
  /** Per install, from 1, in the order the install emitted them: deliveries to an endpoint follow it. */
  sequence: number;
  /** The Temporal workflow behind the install, for the vendor's support to find it. */
  workflow: { workflowId: string; runId: string };
  [detail: string]: unknown;
}

export interface InstallCloudEvent {
  specversion: '1.0';
  /** Also the Standard Webhooks `webhook-id`: the same across retries, so a receiver dedupes by it. */
  id: string;
  source: string;
  type: InstallEventType;
  /** The install id. */
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: InstallEventData;
}

export const installEventSource = '/installs';

/** A message (an AWS error, a drift's description) is cut at this length, so an event stays far below the body bound. */
const maxTextLength = 1_000;

function bounded(value: unknown): unknown {
  if (typeof value === 'string') return value.length > maxTextLength ? `${value.slice(0, maxTextLength)}…` : value;
  if (Array.isArray(value)) return value.slice(0, 50).map(bounded);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, bounded(inner)]));
  }
  return value;
}

export function buildInstallEvent(options: {
  id: string;
  type: InstallEventType;
  time: string;
  data: InstallEventData;
}): InstallCloudEvent {
  return {
    specversion: '1.0',
    id: options.id,
    source: installEventSource,
    type: options.type,
    subject: options.data.installId,
    time: options.time,
    datacontenttype: 'application/json',
    data: bounded(options.data) as InstallEventData,
  };
}

/**
 * Limits on what is sent and read: a body larger than this is not sent (it cannot happen with the bounded text
 * above; the check is the activity's last word), a response body is read no further than this, a POST waits this long.
 */
export const webhookLimits = {
  maxBodyBytes: 64 * 1024,
  maxResponseBytes: 4 * 1024,
  postTimeoutMs: 10_000,
  maxEndpoints: 10,
} as const;

/** Names the install, the delivery workflow and the publishing activity agree on without importing each other. */
export const webhookDeliveryWorkflowType = 'webhookDeliveryWorkflow';
export const installEventSignalName = 'installEvent';
export const webhookDeliveryNewsSignalName = 'webhookDeliveryNews';

export function webhookDeliveryWorkflowId(installId: string): string {
  return `${installId}/webhooks`;
}

/** How deliveries retry; the worker's configuration, defaults below (domain/webhook-endpoints.ts checks bounds). */
export interface WebhookDeliveryPolicy {
  /** The first retry's wait; each next one doubles, up to maximumInterval. */
  initialInterval: string;
  maximumInterval: string;
  /** How long an event is retried before it is dropped (and counted as dropped in the status). */
  window: string;
}

export const defaultWebhookDeliveryPolicy: WebhookDeliveryPolicy = {
  initialInterval: '1 second',
  maximumInterval: '5 minutes',
  window: '3 days',
};

/** What the install sends its delivery workflow: one event, the endpoints subscribed to it, and the policy. */
export interface InstallEventEnvelope {
  sequence: number;
  event: InstallCloudEvent;
  endpointIds: string[];
  policy: WebhookDeliveryPolicy;
  /** The install's last event: once it is delivered, the delivery workflow ends. */
  last?: boolean;
}

/** What the delivery workflow tells the install about one endpoint whose deliveries fail (or no longer do). */
export interface WebhookDeliveryNews {
  endpointId: string;
  /** Events waiting for this endpoint, the failing one included. */
  pending: number;
  lastError?: string;
  /** When the delivery now failing first failed; absent once deliveries succeed again. */
  failingSince?: string;
  /** Events given up on after the retry window, since the install started. */
  dropped: number;
}
