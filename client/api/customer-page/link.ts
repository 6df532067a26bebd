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
 * The link the vendor sends the customer: this install's page, its token bound to the install, to the onboarding's
 * current generation (restarting onboarding revokes it) and to an expiry.
 */
export function customerLinkFor(
  options: Pick<ApiOptions, 'runnerTokenKey' | 'customerLinkTtlMs' | 'publicUrl'>,
  request: FastifyRequest,
  status: InstallStatus,
): { url: string; expiresAt: string } {
  const expiresAtMs = Date.now() + customerLinkTtlMs(options);
  const generation = onboardingGeneration(status.onboarding?.callback?.callbackId);
  const token = mintCustomerLinkToken(options.runnerTokenKey, status.installId, generation, expiresAtMs);
  const base = options.publicUrl ?? `${request.protocol}://${request.host}`;
  return {
    url: `${base.replace(/\/$/, '')}${customerPagePath(status.installId)}?token=${token}`,
    expiresAt: new Date(Math.floor(expiresAtMs / 1000) * 1000).toISOString(),
  };
}
