import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares digests, not the strings: equal lengths for timingSafeEqual, and no early exit on the first byte. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/** Whether the Authorization header carries one of the configured API keys. */
export function hasValidApiKey(header: string | undefined, apiKeys: readonly string[]): boolean {
  const token = bearerToken(header);
  if (!token) return false;
  // Check every key, so the time taken does not tell which one nearly matched.
  return apiKeys.map((key) => secretsEqual(token, key)).some(Boolean);
}
