import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** How long a customer link may live: long enough to forward by email, short enough that a leaked one dies. */
export const customerLinkTtlBounds = { minMs: 60_000, maxMs: 30 * 24 * 3600_000, defaultMs: 7 * 24 * 3600_000 };

/**
 * The onboarding generation a link belongs to: the id of the install's current onboarding callback, which restarting
 * onboarding replaces (so every link handed out before stops working); installs from before callbacks have one.
 */
export function onboardingGeneration(callbackId: string | undefined): string {
  return callbackId ?? '0';
}

function linkMac(key: Uint8Array, installId: string, generation: string, expiresAtSeconds: number): string {
  return createHmac('sha256', key)
    .update(`customer-page:${installId}:${generation}:${expiresAtSeconds}`)
    .digest('base64url');
}

/**
 * The token of a customer link, `<generation>.<expiry, epoch seconds>.<HMAC(key, install id + generation + expiry)>`.
 * Derived, never stored: any API replica with the key can mint or check it, and a token of one install is worthless
 * for another. It is checked before Temporal is asked anything.
 *
 * @example
 * const token = mintCustomerLinkToken(key, 'acme-1', onboardingGeneration(callback?.callbackId), Date.now() + 86_400_000);
 * readCustomerLinkToken(key, 'acme-1', token, Date.now()); // { ok: true, generation, expiresAt }
 */
export function mintCustomerLinkToken(
  key: Uint8Array,
  installId: string,
  generation: string,
  expiresAtMs: number,
): string {
  const expiresAtSeconds = Math.floor(expiresAtMs / 1000);
  return `${generation}.${expiresAtSeconds}.${linkMac(key, installId, generation, expiresAtSeconds)}`;
}

export type CustomerLinkCheck =
  | { ok: true; generation: string; expiresAt: string }
  | { ok: false; reason: 'invalid' | 'expired'; expiresAt?: string };

/** Whether a link's token is this install's and unexpired; the MAC first, so an expiry in a forged token says nothing. */
export function readCustomerLinkToken(
  key: Uint8Array,
  installId: string,
  token: string,
  nowMs: number,
): CustomerLinkCheck {
  const match = /^([0-9a-f]{1,64})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: 'invalid' };
  const [, generation, seconds, mac] = match as unknown as [string, string, string, string];
  const expiresAtSeconds = Number(seconds);
  // Digests of equal length, so the comparison takes the same time wherever the MACs differ.
  const given = createHash('sha256').update(mac).digest();
  const expected = createHash('sha256')
    .update(linkMac(key, installId, generation, expiresAtSeconds))
    .digest();
  if (!timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  const expiresAt = new Date(expiresAtSeconds * 1000).toISOString();
  if (nowMs >= expiresAtSeconds * 1000) return { ok: false, reason: 'expired', expiresAt };
  return { ok: true, generation, expiresAt };
}
