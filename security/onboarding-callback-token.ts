import { createHmac } from 'node:crypto';

/**
 * The one-time token of an onboarding callback, derived like runner tokens: HMAC(key, install id + callback id).
 * The workflow holds only the callback id; any API replica with the key can hand the token out or check it, and a
 * token of one install (or of a superseded callback) is worthless for another.
 */
export function deriveCallbackToken(key: Uint8Array, installId: string, callbackId: string): string {
  return createHmac('sha256', key).update(`onboarding-callback:${installId}:${callbackId}`).digest('base64url');
}
