import { parseDuration } from './durations';
import {
  defaultWebhookDeliveryPolicy,
  installEventTypeNames,
  isInstallEventType,
  webhookLimits,
  type InstallEventType,
  type WebhookDeliveryPolicy,
} from './webhook-events';

/**
 * The vendor's webhook endpoints, read by the worker at start from the file WEBHOOK_ENDPOINTS_FILE names:
 *
 * @example
 * {
 *   "endpoints": [
 *     { "id": "backend", "url": "https://hooks.vendor.example/installs", "secret": "whsec_…",
 *       "eventTypes": ["install.phase.changed", "install.failed"] }
 *   ],
 *   "delivery": { "maximumInterval": "5 minutes", "window": "3 days" }
 * }
 *
 * Checked strictly, so a typo stops the worker at start instead of silently sending nothing.
 */
export interface WebhookEndpoint {
  id: string;
  url: string;
  /** Standard Webhooks form: `whsec_` and the base64 of 24 to 64 random bytes. Only the delivery activity reads it. */
  secret: string;
  eventTypes: InstallEventType[];
}

export interface WebhookConfig {
  endpoints: WebhookEndpoint[];
  delivery: WebhookDeliveryPolicy;
}

export class WebhookConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookConfigError';
  }
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
// Base64 of 24 to 64 bytes is 32 to 88 characters; the spec recommends secrets of that size.
const secretPattern = /^whsec_([A-Za-z0-9+/]{32,88}={0,2})$/;
const loopbackHosts = ['127.0.0.1', 'localhost', '[::1]'];

const deliveryBounds: Record<keyof WebhookDeliveryPolicy, { minMs: number; maxMs: number }> = {
  initialInterval: { minMs: 100, maxMs: 3_600_000 },
  maximumInterval: { minMs: 100, maxMs: 3_600_000 },
  window: { minMs: 10_000, maxMs: 7 * 86_400_000 },
};

function fail(where: string, message: string): never {
  throw new WebhookConfigError(`${where}: ${message}`);
}

function onlyKeys(value: object, allowed: string[], where: string): void {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) fail(where, `unknown field(s) ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key a secret names, or a reason it is not one. */
export function webhookSecretKey(secret: string): Uint8Array {
  const match = secretPattern.exec(secret);
  if (!match) throw new WebhookConfigError('a secret is `whsec_` and the base64 of 24 to 64 bytes');
  const bytes = Uint8Array.from(atob(match[1]!), (c) => c.charCodeAt(0));
  if (bytes.length < 24 || bytes.length > 64) {
    throw new WebhookConfigError(`a secret must hold 24 to 64 bytes; this one holds ${bytes.length}`);
  }
  return bytes;
}

function checkUrl(raw: unknown, where: string): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) fail(where, 'a URL of at most 2048 characters');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail(where, `${JSON.stringify(raw)} is not a URL`);
  }
  if (url.username || url.password) fail(where, 'no credentials in the URL; the signature authenticates the sender');
  if (url.hash) fail(where, 'no fragment');
  // Plain HTTP would show every event, and let anyone on the path replay it; only a receiver on this host may use it.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackHosts.includes(url.hostname))) {
    fail(where, `must be https (http only on a loopback address); got ${url.protocol}//${url.hostname}`);
  }
  return url.toString();
}

function checkEndpoint(raw: unknown, index: number): WebhookEndpoint {
  const where = `endpoints[${index}]`;
  if (!isObject(raw)) fail(where, 'must be an object');
  onlyKeys(raw, ['id', 'url', 'secret', 'eventTypes'], where);
  if (typeof raw.id !== 'string' || !idPattern.test(raw.id)) {
    fail(`${where}.id`, 'letters, digits, _ and -, at most 64, starting with a letter or digit');
  }
  const url = checkUrl(raw.url, `${where}.url`);
  if (typeof raw.secret !== 'string') fail(`${where}.secret`, 'required');
  try {
    webhookSecretKey(raw.secret);
  } catch (error) {
    // The secret itself is never echoed.
    fail(`${where}.secret`, (error as Error).message);
  }
  const types = raw.eventTypes;
  if (!Array.isArray(types) || types.length === 0 || types.length > installEventTypeNames.length) {
    fail(`${where}.eventTypes`, `a non-empty list of: ${installEventTypeNames.join(', ')}`);
  }
  const bad = types.filter((type) => !isInstallEventType(type));
  if (bad.length > 0) fail(`${where}.eventTypes`, `unknown ${bad.map(String).join(', ')}`);
  if (new Set(types).size !== types.length) fail(`${where}.eventTypes`, 'lists a type twice');
  return { id: raw.id, url, secret: raw.secret, eventTypes: types as InstallEventType[] };
}

function checkDelivery(raw: unknown): WebhookDeliveryPolicy {
  if (raw === undefined) return { ...defaultWebhookDeliveryPolicy };
  if (!isObject(raw)) fail('delivery', 'must be an object');
  const fields = Object.keys(deliveryBounds) as Array<keyof WebhookDeliveryPolicy>;
  onlyKeys(raw, fields, 'delivery');
  const policy = { ...defaultWebhookDeliveryPolicy };
  for (const field of fields) {
    const value = raw[field];
    if (value === undefined) continue;
    const ms = parseDuration(value);
    const { minMs, maxMs } = deliveryBounds[field];
    if (typeof value !== 'string' || ms === undefined || ms < minMs || ms > maxMs) {
      fail(`delivery.${field}`, `a duration ("30 seconds") from ${minMs} ms to ${maxMs} ms`);
    }
    policy[field] = value;
  }
  if (parseDuration(policy.maximumInterval)! < parseDuration(policy.initialInterval)!) {
    fail('delivery.maximumInterval', 'must not be shorter than initialInterval');
  }
  return policy;
}

/** The configuration in `text` (the file's contents), or a WebhookConfigError naming the first thing wrong. */
export function parseWebhookConfig(text: string): WebhookConfig {
  if (text.length > 256 * 1024) fail('file', 'larger than 256 KiB');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    fail('file', `not JSON (${(error as Error).message})`);
  }
  if (!isObject(raw)) fail('file', 'must hold an object with "endpoints"');
  onlyKeys(raw, ['endpoints', 'delivery'], 'file');
  const list = raw.endpoints;
  if (!Array.isArray(list) || list.length === 0 || list.length > webhookLimits.maxEndpoints) {
    fail('endpoints', `a list of 1 to ${webhookLimits.maxEndpoints} endpoints`);
  }
  const endpoints = list.map(checkEndpoint);
  const ids = endpoints.map((endpoint) => endpoint.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated) fail('endpoints', `the id ${repeated} is used twice`);
  return { endpoints, delivery: checkDelivery(raw.delivery) };
}

/** The endpoints an event of this type goes to, by id: what the workflows carry instead of URLs and secrets. */
export function subscribedEndpointIds(config: WebhookConfig | undefined, type: InstallEventType): string[] {
  return (config?.endpoints ?? []).filter((endpoint) => endpoint.eventTypes.includes(type)).map(({ id }) => id);
}

/** Every event type some endpoint takes: an install hands over no other (workflows/install-events.ts). */
export function subscribedEventTypes(config: WebhookConfig | undefined): InstallEventType[] {
  return [...new Set((config?.endpoints ?? []).flatMap((endpoint) => endpoint.eventTypes))];
}
