import { builtInPermissionSet, type PermissionSet } from '../../domain/permission-versions';
import type { ApiOptions } from './context';

/** The versions this API knows: the same as the workers' (PERMISSION_VERSIONS_FILE), or kits and checks would differ. */
export function permissionSetOf(options: Pick<ApiOptions, 'permissionSet'>): PermissionSet {
  const set = options.permissionSet;
  return typeof set === 'function' ? set() : (set ?? builtInPermissionSet);
}
