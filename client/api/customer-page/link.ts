import type { FastifyRequest } from 'fastify';
import {
  customerLinkTtlBounds,
  mintCustomerLinkToken,
  onboardingGeneration,
} from '../../../security/customer-link-token';
import type { InstallStatus } from '../../../workflows/definitions';
import type { ApiOptions } from '../context';

export const customerPagePath = (installId: string) => `/customer/installs/${encodeURIComponent(installId)}`;

/** The link's lifetime the deployment chose, refused outside its bounds so a typo cannot mint a link for years. */
export function customerLinkTtlMs(options: Pick<ApiOptions, 'customerLinkTtlMs'>): number {
  const ttl = options.customerLinkTtlMs ?? customerLinkTtlBounds.defaultMs;
  if (!Number.isInteger(ttl) || ttl < customerLinkTtlBounds.minMs || ttl > customerLinkTtlBounds.maxMs) {
    throw new Error(
      `customerLinkTtlMs must be between ${customerLinkTtlBounds.minMs} and ${customerLinkTtlBounds.maxMs} ms; got ${ttl}.`,
    );
  }
  return ttl;
}

/**
 * PUBLIC_URL, the API's address as customers reach it: an http(s) origin with an optional path, at most 2,048
 * characters, no credentials, query or fragment (each would end up in every link handed to a customer). Returned
 * without a trailing slash; an error names what is wrong.
 */
export function checkedPublicUrl(raw: string): string {
  let url: URL;
  try {
    if (raw.length > 2048) throw new Error('too long');
    url = new URL(raw);
  } catch {
    throw new Error(`PUBLIC_URL must be an http(s) URL of at most 2048 characters; got ${raw.slice(0, 80)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('PUBLIC_URL must be http or https.');
  if (url.username || url.password || url.search || url.hash) {
    throw new Error('PUBLIC_URL must have no credentials, query or fragment.');
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * The link the vendor sends the customer: this install's page, its token bound to the install, to the onboarding's
 * current generation (restarting onboarding revokes it) and to an expiry.
 */
/** The API's address as customers and their stacks reach it: PUBLIC_URL, else the request's own origin. */
export function publicBaseUrl(options: Pick<ApiOptions, 'publicUrl'>, request: FastifyRequest): string {
  return (options.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/$/, '');
}

export function customerLinkFor(
  options: Pick<ApiOptions, 'runnerTokenKey' | 'customerLinkTtlMs' | 'publicUrl'>,
  request: FastifyRequest,
  status: InstallStatus,
): { url: string; expiresAt: string } {
  const expiresAtMs = Date.now() + customerLinkTtlMs(options);
  const generation = onboardingGeneration(status.onboarding?.callback?.callbackId);
  const token = mintCustomerLinkToken(options.runnerTokenKey, status.installId, generation, expiresAtMs);
  return {
    url: `${publicBaseUrl(options, request)}${customerPagePath(status.installId)}?token=${token}`,
    expiresAt: new Date(Math.floor(expiresAtMs / 1000) * 1000).toISOString(),
  };
}
