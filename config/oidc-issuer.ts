/** The OIDC issuer's configuration, read by the API (which publishes its documents) and the worker (which signs). */
import { readFileSync } from 'node:fs';
import { OidcConfigError, parseOidcIssuer, type OidcIssuer } from '../security/oidc-issuer';
import { ConfigError } from './deployment';

/**
 * OIDC_ISSUER_URL with the signing keys in OIDC_SIGNING_KEYS (JSON) or the file OIDC_SIGNING_KEYS_FILE names; all
 * unset means no OIDC trust mode. Anything half-set or out of bounds stops the process at start.
 */
export function readOidcIssuer(env: NodeJS.ProcessEnv = process.env, now = Date.now()): OidcIssuer | undefined {
  const url = env.OIDC_ISSUER_URL || undefined;
  const inline = env.OIDC_SIGNING_KEYS || undefined;
  const file = env.OIDC_SIGNING_KEYS_FILE || undefined;
  if (!url && !inline && !file) return undefined;
  if (!url) throw new ConfigError('OIDC_SIGNING_KEYS(_FILE) is set but OIDC_ISSUER_URL is not.');
  if (inline && file) throw new ConfigError('Set OIDC_SIGNING_KEYS or OIDC_SIGNING_KEYS_FILE, not both.');
  if (!inline && !file) throw new ConfigError('OIDC_ISSUER_URL is set but no signing keys (OIDC_SIGNING_KEYS_FILE).');
  let keys = inline;
  if (file) {
    try {
      keys = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`OIDC_SIGNING_KEYS_FILE=${file} cannot be read: ${(error as Error).message}`);
    }
  }
  try {
    return parseOidcIssuer(url, keys!, now);
  } catch (error) {
    if (error instanceof OidcConfigError) throw new ConfigError(`OIDC issuer: ${error.message}`);
    throw error;
  }
}
