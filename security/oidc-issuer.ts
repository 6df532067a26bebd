/**
 * The orchestrator as an OpenID Connect issuer for AWS STS: signing keys from configuration, the two documents AWS
 * fetches (discovery and JWKS), and the short-lived tokens the worker presents to AssumeRoleWithWebIdentity.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
 * https://openid.net/specs/openid-connect-discovery-1_0.html
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { stsAudience } from '../domain/oidc-trust';

/** A token lives five minutes: long enough for one AssumeRoleWithWebIdentity, short enough to be worthless later. */
export const oidcTokenLifetimeSeconds = 300;
export const maxSigningKeys = 10;
export const maxKeyConfigBytes = 256 * 1024;
const kidPattern = /^[A-Za-z0-9._-]{1,64}$/;

export class OidcConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OidcConfigError';
  }
}

export type SigningAlgorithm = 'RS256' | 'ES256';

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
  /** The public half, as the JWKS publishes it. */
  publicJwk: JsonWebKey & { kid: string; alg: SigningAlgorithm; use: 'sig' };
  /** Signs from this instant (absent: always has). */
  notBefore?: number;
  /** Signs nothing from this instant; stays published one token lifetime longer. */
  notAfter?: number;
}

export interface OidcIssuer {
  /** e.g. https://id.vendor.example; what tokens carry as iss and the customer's IAM OIDC provider names. */
  issuerUrl: string;
  keys: SigningKey[];
}

function algorithmOf(key: KeyObject, kid: string): SigningAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < 2048 || bits > 4096)
      throw new OidcConfigError(`key ${kid}: RSA keys must be 2048 to 4096 bits (${bits}).`);
    return 'RS256';
  }
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') return 'ES256';
  throw new OidcConfigError(`key ${kid}: only RSA (RS256) and EC P-256 (ES256) keys are supported.`);
}

function instant(raw: unknown, kid: string, field: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' ? Date.parse(raw) : NaN;
  if (!Number.isFinite(value)) throw new OidcConfigError(`key ${kid}: ${field} must be an ISO 8601 date-time.`);
  return value;
}

/** A signing key from configuration: a private JWK or a PKCS#8/SEC1/PKCS#1 PEM, with its kid. */
export function signingKeyFrom(entry: unknown, index: number): SigningKey {
  if (typeof entry !== 'object' || entry === null) throw new OidcConfigError(`keys[${index}] must be an object.`);
  const { kid, privateKey: raw, notBefore, notAfter } = entry as Record<string, unknown>;
  if (typeof kid !== 'string' || !kidPattern.test(kid)) {
    throw new OidcConfigError(`keys[${index}].kid must be 1 to 64 letters, digits, '.', '_' or '-'.`);
  }
  let privateKey: KeyObject;
  try {
    privateKey =
      typeof raw === 'string' ? createPrivateKey(raw) : createPrivateKey({ key: raw as JsonWebKey, format: 'jwk' });
  } catch {
    throw new OidcConfigError(`key ${kid}: privateKey must be a private JWK or a PEM private key.`);
  }
  const alg = algorithmOf(privateKey, kid);
  const key: SigningKey = {
    kid,
    alg,
    privateKey,
    publicJwk: { ...createPublicKey(privateKey).export({ format: 'jwk' }), kid, alg, use: 'sig' },
    notBefore: instant(notBefore, kid, 'notBefore'),
    notAfter: instant(notAfter, kid, 'notAfter'),
  };
  if (key.notBefore !== undefined && key.notAfter !== undefined && key.notAfter <= key.notBefore) {
    throw new OidcConfigError(`key ${kid}: notAfter must come after notBefore.`);
  }
  return key;
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * The issuer URL as IAM takes it: https, at most 255 characters, no port, query, fragment or credentials. Plain http
 * (and a port) only on loopback, for the local stack.
 */
export function checkIssuerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OidcConfigError(`OIDC_ISSUER_URL=${raw} is not a URL.`);
  }
  const loopback = isLoopbackHost(url.hostname);
  if (raw.length > 255) throw new OidcConfigError('OIDC_ISSUER_URL must be at most 255 characters (IAM).');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new OidcConfigError(`OIDC_ISSUER_URL=${raw} must be https (http only on loopback): AWS fetches it.`);
  }
  if (url.username || url.password || url.search || url.hash || raw.includes('?') || raw.includes('#')) {
    throw new OidcConfigError(`OIDC_ISSUER_URL=${raw} must have no credentials, query or fragment.`);
  }
  if (url.port && !loopback) throw new OidcConfigError(`OIDC_ISSUER_URL=${raw} must have no port: IAM refuses one.`);
  return raw.replace(/\/+$/, '');
}

/** The issuer from its URL and the keys' JSON (`{"keys":[{kid, privateKey, notBefore?, notAfter?}]}`). */
export function parseOidcIssuer(issuerUrl: string, keysJson: string, now = Date.now()): OidcIssuer {
  if (Buffer.byteLength(keysJson) > maxKeyConfigBytes) {
    throw new OidcConfigError(`the signing keys must be at most ${maxKeyConfigBytes} bytes.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(keysJson);
  } catch {
    throw new OidcConfigError('the signing keys are not JSON.');
  }
  const entries = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > maxSigningKeys) {
    throw new OidcConfigError(`the signing keys must be {"keys": [...]} with 1 to ${maxSigningKeys} keys.`);
  }
  const keys = entries.map(signingKeyFrom);
  const kids = new Set(keys.map((key) => key.kid));
  if (kids.size !== keys.length) throw new OidcConfigError('each signing key needs a kid of its own.');
  const issuer = { issuerUrl: checkIssuerUrl(issuerUrl), keys };
  if (!signingKeyAt(issuer, now)) throw new OidcConfigError('no signing key is active now (check notBefore/notAfter).');
  return issuer;
}

/** The newest key active at `now` (latest notBefore; the later in the list on a tie), or none. */
export function signingKeyAt(issuer: OidcIssuer, now: number): SigningKey | undefined {
  let chosen: SigningKey | undefined;
  for (const key of issuer.keys) {
    if ((key.notBefore ?? -Infinity) > now || (key.notAfter ?? Infinity) <= now) continue;
    if (!chosen || (key.notBefore ?? -Infinity) >= (chosen.notBefore ?? -Infinity)) chosen = key;
  }
  return chosen;
}

/**
 * The JWKS at `now`: every key that signs now or later, and every retired key until the last token it signed has
 * expired (notAfter + one token lifetime). Publishing a key before its notBefore lets AWS's cache learn it first.
 */
export function publishedJwks(issuer: OidcIssuer, now: number): { keys: SigningKey['publicJwk'][] } {
  const lifetimeMs = oidcTokenLifetimeSeconds * 1000;
  return {
    keys: issuer.keys.filter((key) => (key.notAfter ?? Infinity) + lifetimeMs > now).map((key) => key.publicJwk),
  };
}

/** Where the JWKS lives under the issuer. */
export const jwksPath = '/.well-known/jwks.json';
export const discoveryPath = '/.well-known/openid-configuration';

/** The discovery document: the few fields AWS reads (issuer, jwks_uri) and what a token looks like. */
export function discoveryDocument(issuer: OidcIssuer): Record<string, unknown> {
  return {
    issuer: issuer.issuerUrl,
    jwks_uri: `${issuer.issuerUrl}${jwksPath}`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...new Set(issuer.keys.map((key) => key.alg))],
    claims_supported: ['iss', 'sub', 'aud', 'iat', 'nbf', 'exp', 'jti'],
  };
}

function base64url(value: Buffer | string): string {
  return Buffer.from(value).toString('base64url');
}

export interface TokenRequest {
  subject: string;
  audience?: string;
  /** Milliseconds since the epoch: when the token is made. */
  now?: number;
  /** The probes' forms: another signing key (not in the JWKS), a lifetime already over. */
  key?: SigningKey;
  issuedSecondsAgo?: number;
}

/** A signed JWT for AssumeRoleWithWebIdentity. The caller uses it once and never logs or returns it. */
export function mintToken(issuer: OidcIssuer, request: TokenRequest): string {
  const now = request.now ?? Date.now();
  const key = request.key ?? signingKeyAt(issuer, now);
  if (!key) throw new OidcConfigError('no signing key is active now (check notBefore/notAfter).');
  const iat = Math.floor(now / 1000) - (request.issuedSecondsAgo ?? 0);
  const header = { alg: key.alg, typ: 'JWT', kid: key.kid };
  const claims = {
    iss: issuer.issuerUrl,
    sub: request.subject,
    aud: request.audience ?? stsAudience,
    iat,
    nbf: iat,
    exp: iat + oidcTokenLifetimeSeconds,
    jti: randomBytes(16).toString('hex'),
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature =
    key.alg === 'ES256'
      ? sign('sha256', Buffer.from(signingInput), { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(signingInput), key.privateKey);
  return `${signingInput}.${base64url(signature)}`;
}

/** A key of the same kid and kind that the JWKS does not hold: what the unknown-key probe signs with. */
export function impostorKey(like: SigningKey): SigningKey {
  const { privateKey } =
    like.alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...like, privateKey };
}

/** A fresh EC P-256 key as configuration holds it: for the local stack, tests and the demo. */
export function generateSigningKeyConfig(kid: string, window: { notBefore?: string; notAfter?: string } = {}) {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { kid, privateKey: privateKey.export({ format: 'jwk' }), ...window };
}
