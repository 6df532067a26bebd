import { createVerify, generateKeyPairSync } from 'node:crypto';
import { readWorkerConfig } from '../../worker/config';
import { readOidcIssuer } from '../../config/oidc-issuer';
import {
  discoveryDocument,
  generateSigningKeyConfig,
  maxSigningKeys,
  mintToken,
  oidcTokenLifetimeSeconds,
  parseOidcIssuer,
  publishedJwks,
  signingKeyAt,
} from '../../security/oidc-issuer';

const issuerUrl = 'https://id.vendor.example';
const t0 = Date.parse('2026-12-01T12:00:00Z');
const lifetimeMs = oidcTokenLifetimeSeconds * 1000;

function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(claims!, 'base64url').toString()) as Record<string, unknown>,
  };
}

describe('the OIDC issuer', () => {
  it('mints a five-minute token with iss, sub, aud sts.amazonaws.com, iat, nbf, exp, jti and the kid', () => {
    const issuer = parseOidcIssuer(issuerUrl, JSON.stringify({ keys: [generateSigningKeyConfig('k1')] }), t0);
    const token = mintToken(issuer, { subject: 'install:org-a:i-1', now: t0 });
    const { header, claims } = decode(token);
    expect(header).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'k1' });
    expect(claims).toMatchObject({
      iss: issuerUrl,
      sub: 'install:org-a:i-1',
      aud: 'sts.amazonaws.com',
      iat: t0 / 1000,
      nbf: t0 / 1000,
      exp: t0 / 1000 + 300,
    });
    expect(claims.jti).toMatch(/^[0-9a-f]{32}$/);
    expect(decode(mintToken(issuer, { subject: 's', now: t0 })).claims.jti).not.toBe(claims.jti);
  });

  it('signs RS256 with an RSA PEM key, verifiable with the published JWK', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const issuer = parseOidcIssuer(issuerUrl, JSON.stringify({ keys: [{ kid: 'rsa-1', privateKey: pem }] }), t0);
    const token = mintToken(issuer, { subject: 's', now: t0 });
    const [h, c, s] = token.split('.');
    const jwk = publishedJwks(issuer, t0).keys[0]!;
    expect(jwk).toMatchObject({ kty: 'RSA', kid: 'rsa-1', alg: 'RS256', use: 'sig' });
    expect(jwk).not.toHaveProperty('d');
    const verifier = createVerify('sha256').update(`${h}.${c}`);
    expect(verifier.verify({ key: jwk as never, format: 'jwk' }, Buffer.from(s!, 'base64url'))).toBe(true);
  });

  it('rotates with overlap: the newest active key signs, the retired one stays published until its tokens expire', () => {
    const retiresAt = t0 + 3600_000;
    const keys = [
      generateSigningKeyConfig('old', { notAfter: new Date(retiresAt).toISOString() }),
      generateSigningKeyConfig('new', { notBefore: new Date(t0 + 600_000).toISOString() }),
    ];
    const issuer = parseOidcIssuer(issuerUrl, JSON.stringify({ keys }), t0);
    const kids = (now: number) => publishedJwks(issuer, now).keys.map((key) => key.kid);
    // Before the new key signs, it is already published, so AWS's cache knows it when the first token arrives.
    expect(signingKeyAt(issuer, t0)?.kid).toBe('old');
    expect(kids(t0)).toEqual(['old', 'new']);
    expect(signingKeyAt(issuer, t0 + 600_000)?.kid).toBe('new');
    // The old key signs nothing after notAfter, but its last token lives one lifetime more, and so does the key.
    expect(signingKeyAt(issuer, retiresAt - 1)?.kid).toBe('new');
    expect(kids(retiresAt + lifetimeMs - 1)).toEqual(['old', 'new']);
    expect(kids(retiresAt + lifetimeMs)).toEqual(['new']);
  });

  it('publishes discovery with the issuer and the JWKS under it', () => {
    const issuer = parseOidcIssuer(`${issuerUrl}/tenant/`, JSON.stringify({ keys: [generateSigningKeyConfig('k')] }));
    expect(discoveryDocument(issuer)).toMatchObject({
      issuer: `${issuerUrl}/tenant`,
      jwks_uri: `${issuerUrl}/tenant/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });

  const oneKey = JSON.stringify({ keys: [generateSigningKeyConfig('k')] });
  it.each([
    ['http off loopback', 'http://id.vendor.example', oneKey, /must be https/],
    ['a port off loopback', 'https://id.vendor.example:8443', oneKey, /no port/],
    ['a query', 'https://id.vendor.example/?a=1', oneKey, /no credentials, query or fragment/],
    ['credentials', 'https://u:p@id.vendor.example', oneKey, /no credentials/],
    ['more than 255 characters', `https://id.vendor.example/${'a'.repeat(250)}`, oneKey, /at most 255/],
    ['not JSON', issuerUrl, '{', /not JSON/],
    ['no keys', issuerUrl, '{"keys":[]}', /1 to 10 keys/],
    [
      'too many keys',
      issuerUrl,
      JSON.stringify({ keys: Array.from({ length: maxSigningKeys + 1 }, (_, i) => generateSigningKeyConfig(`k${i}`)) }),
      /1 to 10 keys/,
    ],
    [
      'a duplicate kid',
      issuerUrl,
      JSON.stringify({ keys: [generateSigningKeyConfig('k'), generateSigningKeyConfig('k')] }),
      /kid of its own/,
    ],
    ['a bad kid', issuerUrl, JSON.stringify({ keys: [generateSigningKeyConfig('k/1')] }), /kid must be/],
    ['a public key only', issuerUrl, JSON.stringify({ keys: [{ kid: 'k', privateKey: { kty: 'EC' } }] }), /private/],
    [
      'an RSA key under 2048 bits',
      issuerUrl,
      JSON.stringify({
        keys: [
          {
            kid: 'k',
            privateKey: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' }),
          },
        ],
      }),
      /2048 to 4096/,
    ],
    [
      'an Ed25519 key',
      issuerUrl,
      JSON.stringify({
        keys: [{ kid: 'k', privateKey: generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) }],
      }),
      /only RSA/,
    ],
    [
      'no key active now',
      issuerUrl,
      JSON.stringify({ keys: [generateSigningKeyConfig('k', { notAfter: '2020-01-01T00:00:00Z' })] }),
      /no signing key is active/,
    ],
    [
      'notAfter before notBefore',
      issuerUrl,
      JSON.stringify({
        keys: [generateSigningKeyConfig('k', { notBefore: '2030-01-01T00:00:00Z', notAfter: '2029-01-01T00:00:00Z' })],
      }),
      /notAfter must come after/,
    ],
    ['a file over 256 KiB', issuerUrl, JSON.stringify({ keys: [], pad: 'x'.repeat(300_000) }), /at most 262144 bytes/],
  ])('refuses at start: %s', (_what, url, keys, message) => {
    expect(() => readOidcIssuer({ OIDC_ISSUER_URL: url, OIDC_SIGNING_KEYS: keys })).toThrow(message);
  });

  it('accepts http and a port on loopback, for the local stack; nothing set means no OIDC mode', () => {
    const issuer = readOidcIssuer({ OIDC_ISSUER_URL: 'http://127.0.0.1:8080', OIDC_SIGNING_KEYS: oneKey });
    expect(issuer?.issuerUrl).toBe('http://127.0.0.1:8080');
    expect(readOidcIssuer({})).toBeUndefined();
    expect(() => readOidcIssuer({ OIDC_SIGNING_KEYS: oneKey })).toThrow(/OIDC_ISSUER_URL is not/);
    expect(() => readOidcIssuer({ OIDC_ISSUER_URL: issuerUrl })).toThrow(/no signing keys/);
  });
});

describe("the worker's OIDC settings", () => {
  const env = { RUNNER_TOKEN_KEY: 'a'.repeat(64) };
  const keys = JSON.stringify({ keys: [generateSigningKeyConfig('k')] });

  it('holds no vendor credentials with VENDOR_AWS_CREDENTIALS=none, and signs with the configured issuer', () => {
    const config = readWorkerConfig({
      ...env,
      VENDOR_AWS_CREDENTIALS: 'none',
      OIDC_ISSUER_URL: issuerUrl,
      OIDC_SIGNING_KEYS: keys,
    });
    expect(config.aws.vendorCredentials).toBe('none');
    expect(config.oidcIssuer?.issuerUrl).toBe(issuerUrl);
    expect(readWorkerConfig(env).aws.vendorCredentials).toBeUndefined();
  });

  it('refuses at start VENDOR_AWS_CREDENTIALS=none without an issuer, and any other value', () => {
    expect(() => readWorkerConfig({ ...env, VENDOR_AWS_CREDENTIALS: 'none' })).toThrow(/needs OIDC_ISSUER_URL/);
    expect(() => readWorkerConfig({ ...env, VENDOR_AWS_CREDENTIALS: 'off' })).toThrow(/must be none or default/);
  });
});
