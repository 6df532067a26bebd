import type { Duration } from '@temporalio/common';
import type { CustomerAccess } from '../activities/aws/customer-session';
import { installResourceNames, sandboxNamingOf } from '../domain/onboarding-artifacts';
import { quick, roleVerification } from './activity-profiles';
import type { InstallInput, InstallError } from './definitions';
import { summarizeFailure } from './failures';
import type { InstallTracker } from './install-tracker';

/**
 * Proves the submitted role is usable and safe: assumable with the External ID (after IAM propagation), refused
 * without it, and granted every action the later phases need. Returns the reason it is not, for the customer.
 */
export async function verifyRole(
  tracker: InstallTracker,
  input: InstallInput,
  access: CustomerAccess,
  propagation: Duration,
): Promise<InstallError | undefined> {
  const role = (tracker.status.role = { arn: access.roleArn });
  try {
    const identity = await tracker.step('verify_role', () =>
      roleVerification(propagation, 'AssumeRole with the External ID, then GetCallerIdentity').verifyRoleAccess({
        access,
      }),
    );
    const probe = await quick('AssumeRole without the External ID must be refused').probeRoleWithoutExternalId({
      access,
    });
    Object.assign(role, { assumedRoleArn: identity.assumedRoleArn, withoutExternalId: probe.withoutExternalId });
    if (probe.withoutExternalId === 'allowed') {
      tracker.markStep('verify_role', 'failed', 'assumable without the External ID');
      return tracker.recordError(
        {
          code: 'external_id_not_enforced',
          message:
            'The role can be assumed without the External ID. Add the condition StringEquals sts:ExternalId ' +
            'to its trust policy (see the onboarding trust policy) and submit the ARN again.',
        },
        'verify_role',
      );
    }
  } catch (error) {
    const failure = summarizeFailure(error);
    if (failure.code === 'Timeout') {
      failure.code = 'RoleNotAssumable';
      failure.message = `The role still refused AssumeRole with the External ID after ${String(propagation)}. Check its trust policy.`;
    }
    return tracker.recordError(failure, 'verify_role');
  }

  try {
    const permissions = await tracker.step('check_permissions', () =>
      quick('Check the role grants every action the install needs').checkRolePermissions({
        access,
        names: installResourceNames({ ...input, sandboxNaming: sandboxNamingOf(tracker.status) }),
      }),
    );
    Object.assign(role, { missingPermissions: permissions.missing, conditionalPermissions: permissions.conditional });
    if (permissions.missing.length > 0) {
      return tracker.recordError(
        {
          code: 'missing_permissions',
          message: `The role lacks ${permissions.missing.length} permission(s): ${permissions.missing.join(', ')}.`,
        },
        'check_permissions',
      );
    }
  } catch (error) {
    return tracker.recordError(summarizeFailure(error), 'check_permissions');
  }
  const verifiedAt = new Date().toISOString();
  Object.assign(role, { verifiedAt, lastVerifiedAt: verifiedAt });
  return undefined;
}
