import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey, Caller } from './api-keys';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated API key (its id and orgs), set before any vendor route runs. */
    caller: Caller;
  }
}

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

/** The caller whose key the Authorization header carries, if it carries one of the configured keys. */
export function authenticate(header: string | undefined, apiKeys: readonly ApiKey[]): Caller | undefined {
  const token = bearerToken(header);
  if (!token) return undefined;
  // Check every key, so the time taken does not tell which one nearly matched.
  const matches = apiKeys.map((key) => secretsEqual(token, key.secret));
  const key = apiKeys[matches.indexOf(true)];
  return key && { keyId: key.id, orgs: key.orgs };
}
