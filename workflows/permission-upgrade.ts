import { customerAccessRef, type CustomerAccess } from '../domain/customer-access';
import { installPermissionVersion } from '../domain/permission-versions';
import { healthCheck } from './activity-profiles';
import type { InstallError, InstallInput } from './definitions';
import { describeFailure } from './failures';
import type { InstallTracker } from './install-tracker';
import { permissionCheckSubject } from './role-verification';

/** How often an open upgrade request is re-checked, and how many times, before only re-verification looks again. */
export const permissionUpgradePoll = { everyMs: 15 * 60_000, polls: 96 };

/**
 * The role against the permission set: at its install's version (drift, which degrades the install), then what the
 * versions since add. Granted already: the install moves to the new version. Lacking some: an upgrade request,
 * phase awaiting_permission_upgrade, while everything the install had keeps working. Returns the drift, if any.
 */
export async function checkPermissionSet(
  tracker: InstallTracker,
  input: InstallInput,
  access: CustomerAccess,
): Promise<Omit<InstallError, 'at'> | undefined> {
  const version = installPermissionVersion(tracker.status);
  const found = await healthCheck(
    "Re-verify: the role's permissions at its version, and what newer versions add",
  ).checkPermissionUpgrade({
    access: customerAccessRef(access),
    ...permissionCheckSubject(tracker, input),
    version,
  });
  if (found.missing.length > 0) {
    return describeFailure({
      code: 'permissions_lost',
      message: `The role lacks ${found.missing.length} permission(s) of version ${version}: ${found.missing.join(', ')}.`,
    });
  }
  if (found.current <= version) {
    tracker.dropPermissionUpgrade();
  } else if (found.addedMissing.length === 0) {
    tracker.grantPermissionUpgrade(found.current);
  } else {
    tracker.askPermissionUpgrade({
      fromVersion: version,
      toVersion: found.current,
      addedActions: found.added,
      missing: found.addedMissing,
      conditional: found.addedConditional,
      polls: permissionUpgradePoll.polls,
    });
  }
  return undefined;
}
