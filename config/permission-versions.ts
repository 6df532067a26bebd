/** The permission set's versions as the worker and the API both read them: they must agree, as on the runner key. */
import { readFileSync } from 'node:fs';
import {
  builtInPermissionSet,
  permissionSetOf,
  PermissionVersionsError,
  type PermissionSet,
} from '../domain/permission-versions';
import { ConfigError } from './deployment';

/** Largest versions file read: 50 versions of 50 actions fit in a tenth of it. */
const maxFileBytes = 1_000_000;

/**
 * PERMISSION_VERSIONS_FILE: a JSON file `{ "versions": [...] }` of the versions after the ones in code
 * (domain/permission-versions.ts); PERMISSION_SET_VERSION pins the current version below the newest, to ship the
 * file before asking customers. Neither set: the versions in code, the newest current.
 */
export function readPermissionSet(env: NodeJS.ProcessEnv = process.env): PermissionSet {
  const file = env.PERMISSION_VERSIONS_FILE;
  const pinned = env.PERMISSION_SET_VERSION ? Number(env.PERMISSION_SET_VERSION) : undefined;
  if (!file && pinned === undefined) return builtInPermissionSet;
  let versions: unknown = [];
  if (file) {
    const text = readFileSync(file, 'utf8');
    if (text.length > maxFileBytes)
      throw new ConfigError(`PERMISSION_VERSIONS_FILE is larger than ${maxFileBytes} bytes.`);
    try {
      versions = (JSON.parse(text) as { versions?: unknown }).versions;
    } catch (error) {
      throw new ConfigError(`PERMISSION_VERSIONS_FILE is not JSON: ${(error as Error).message}`);
    }
  }
  try {
    return permissionSetOf(versions, pinned);
  } catch (error) {
    if (error instanceof PermissionVersionsError) throw new ConfigError(`PERMISSION_VERSIONS_FILE: ${error.message}`);
    throw error;
  }
}
