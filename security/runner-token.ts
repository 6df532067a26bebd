import { createHash, createHmac } from 'node:crypto';

/**
 * Runner registration tokens are derived, not stored: HMAC(key, install id + registration id). The workflow keeps
 * only the registration id and the token's SHA-256, so the token never enters history, and any API replica with
 * the key can hand it to the runner or check it.
 */
export function deriveRunnerToken(key: Uint8Array, installId: string, registrationId: string): string {
  return createHmac('sha256', key).update(`runner-registration:${installId}:${registrationId}`).digest('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
