/** The orgs a key serves: a list, or every org (`'*'`, an operator key). */
export type OrgScope = '*' | readonly string[];

/** One API key as configured: the id is what the API records (who approved, who asked for teardown), never the secret. */
export interface ApiKey {
  id: string;
  secret: string;
  orgs: OrgScope;
}

/** Who is calling: the key's id and the orgs it serves. */
export interface Caller {
  keyId: string;
  orgs: OrgScope;
}

/** With authentication off (local development) every caller is this one, and may do everything. */
export const anonymousCaller: Caller = { keyId: 'anonymous', orgs: '*' };

export const orgIdPattern = /^[A-Za-z0-9._-]{1,128}$/;
const keyIdPattern = /^[A-Za-z0-9._@-]{1,64}$/;
const minimumSecretLength = 16;

export class ApiKeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiKeyFileError';
  }
}

export function servesOrg(caller: Caller, orgId: string): boolean {
  return caller.orgs === '*' || caller.orgs.includes(orgId);
}

/**
 * Reads API_KEYS / API_KEYS_FILE. The format is JSON, an array of `{ "id", "key", "orgs" }` where `orgs` is `"*"`
 * (an operator key) or a list of org ids. Anything that does not start with `[` is the older list of bare keys
 * (comma- or whitespace-separated); each becomes an operator key with the id `legacy-<n>`, as before it could do
 * everything. Messages name ids and positions, never a secret.
 *
 * @example
 * parseApiKeys('[{ "id": "acme-ci", "key": "…32 random characters…", "orgs": ["acme"] }]');
 */
export function parseApiKeys(raw: string): ApiKey[] {
  const text = raw.trim();
  const keys = text.startsWith('[') ? parseKeyList(text) : parseLegacyKeys(text);
  const ids = new Set<string>();
  const secrets = new Set<string>();
  for (const key of keys) {
    if (ids.has(key.id)) throw new ApiKeyFileError(`API key id ${key.id} appears twice.`);
    if (secrets.has(key.secret)) throw new ApiKeyFileError(`API key ${key.id} has the same secret as another key.`);
    ids.add(key.id);
    secrets.add(key.secret);
  }
  return keys;
}

function parseLegacyKeys(text: string): ApiKey[] {
  const secrets = text.split(/[\s,]+/).filter(Boolean);
  return secrets.map((secret, index) => checkedKey({ id: `legacy-${index + 1}`, key: secret, orgs: '*' }, index));
}

function parseKeyList(text: string): ApiKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's message can quote the text, and with it a secret.
    throw new ApiKeyFileError('The API key list is not valid JSON.');
  }
  if (!Array.isArray(parsed)) throw new ApiKeyFileError('The API key list must be a JSON array.');
  return parsed.map((entry: unknown, index) => checkedKey(entry, index));
}

function checkedKey(entry: unknown, index: number): ApiKey {
  const where = `API key #${index + 1}`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ApiKeyFileError(`${where} must be an object { "id", "key", "orgs" }.`);
  }
  const { id, key, orgs, ...rest } = entry as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new ApiKeyFileError(`${where} has unknown fields: ${unknown.join(', ')}.`);
  if (typeof id !== 'string' || !keyIdPattern.test(id)) {
    throw new ApiKeyFileError(`${where} needs an "id" of 1-64 letters, digits or . _ @ -.`);
  }
  if (typeof key !== 'string' || key.length < minimumSecretLength || /\s/.test(key)) {
    throw new ApiKeyFileError(`API key ${id} must be at least ${minimumSecretLength} characters, without spaces.`);
  }
  if (orgs === '*') return { id, secret: key, orgs };
  if (!Array.isArray(orgs) || orgs.length === 0 || !orgs.every((org) => typeof org === 'string')) {
    throw new ApiKeyFileError(`API key ${id} needs "orgs": "*" or a non-empty list of org ids.`);
  }
  const bad = (orgs as string[]).find((org) => !orgIdPattern.test(org));
  if (bad !== undefined) throw new ApiKeyFileError(`API key ${id} names an invalid org id ${JSON.stringify(bad)}.`);
  return { id, secret: key, orgs: [...new Set(orgs as string[])] };
}
