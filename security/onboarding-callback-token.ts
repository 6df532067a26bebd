import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

function callbackMac(key: Uint8Array, installId: string, callbackId: string): string {
  return createHmac('sha256', key).update(`onboarding-callback:${installId}:${callbackId}`).digest('base64url');
}

/**
 * The one-time token of an onboarding callback, `<callback id>.<HMAC(key, install id + callback id)>`. The workflow
 * holds only the callback id; any API replica with the key can hand the token out or check it, and a token of one
 * install (or of a superseded callback) is worthless for another. Carrying the callback id lets the API check the
 * MAC before it asks Temporal anything.
 */
export function deriveCallbackToken(key: Uint8Array, installId: string, callbackId: string): string {
  return `${callbackId}.${callbackMac(key, installId, callbackId)}`;
}

/** The callback id a token was made for, if its MAC is right for this install; undefined for anything else. */
export function callbackIdOfToken(key: Uint8Array, installId: string, token: string): string | undefined {
  const match = /^([0-9a-f]{1,64})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return undefined;
  const [, callbackId, mac] = match as unknown as [string, string, string];
  // Digests of equal length, so the comparison takes the same time wherever the MACs differ.
  const given = createHash('sha256').update(mac).digest();
  const expected = createHash('sha256')
    .update(callbackMac(key, installId, callbackId))
    .digest();
  return timingSafeEqual(given, expected) ? callbackId : undefined;
}

/**
 * What an organization install's callback token is bound to in place of an install id: `organization/<id>`. An
 * install id has no `/`, so a token of one kind is never valid for the other, even under the same id.
 */
export function organizationCallbackSubject(organizationInstallId: string): string {
  return `organization/${organizationInstallId}`;
}
