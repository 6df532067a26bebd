import type { Duration } from '@temporalio/common';
import { patched } from '@temporalio/workflow';
import { customerAccessRef, type CustomerAccess, type CustomerAccessInput } from '../domain/customer-access';
import { sandboxNamingOf } from '../domain/install-names';
import { describeTrustPolicyFindings } from '../domain/trust-policy-check';
import type { InstallActivities } from '../activities';
import { quick, roleVerification } from './activity-profiles';
import type { InstallInput, InstallError } from './definitions';
import { summarizeFailure } from './failures';
import type { InstallTracker } from './install-tracker';
import { checkOidcTrust } from './oidc-checks';
import { anchorsPatch } from './patches';

/**
 * Proves the submitted role is usable and safe: assumable with the External ID (after IAM propagation), refused
 * without it and with a wrong one, a trust policy that admits only the vendor with this External ID, and granted
 * every action the later phases need. Returns the reason it is not, for the customer.
 */
/** What a permission check reads the role against: the install's names, and the boundary it asked for. */
export function permissionCheckSubject(tracker: InstallTracker, input: InstallInput) {
  return {
    resources: {
      installId: input.installId,
      awsAccountId: input.awsAccountId,
      region: input.region,
      cur: tracker.status.costReportSettings ?? input.cur,
      sandboxNaming: sandboxNamingOf(tracker.status),
    },
    ...(tracker.status.permissionsBoundary ? { permissionsBoundary: tracker.status.permissionsBoundary } : {}),
  };
}

export async function verifyRole(
  tracker: InstallTracker,
  input: InstallInput,
  access: CustomerAccess,
  propagation: Duration,
): Promise<InstallError | undefined> {
  tracker.beginRoleVerification(access.roleArn);
  // Only the first check carries the External ID; the others name the role and find the session it left.
  const ref = customerAccessRef(access);
  let unreadable: { code: string; message: string } | undefined;
  try {
    const identity = await tracker.step('verify_role', () =>
      roleVerification(propagation, 'AssumeRole with the External ID, then GetCallerIdentity').verifyRoleAccess({
        access,
      }),
    );
    // OIDC installs are new with this release: their checks need no replay guard, but ask for the release's marker.
    if (access.oidc && patched(anchorsPatch)) {
      tracker.recordRoleChecks({ assumedRoleArn: identity.assumedRoleArn });
      const refusal = await checkOidcTrust(tracker, ref);
      if (refusal) {
        tracker.markStep('verify_role', 'failed', refusal.code);
        return tracker.recordError(refusal, 'verify_role');
      }
      const missing = await verifyPermissions(tracker, input, ref);
      if (missing) return missing;
      tracker.markRoleVerified();
      return undefined;
    }
    const probe = await quick('AssumeRole without the External ID must be refused').probeRoleWithoutExternalId({
      access: ref,
    });
    tracker.recordRoleChecks({ assumedRoleArn: identity.assumedRoleArn, withoutExternalId: probe.withoutExternalId });
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
    if (tracker.patches.has('trust-policy-check')) {
      const refusal = await checkTrustPolicy(tracker, ref);
      // A role that may not read itself most likely lacks the kit's policies: the preflight names all it lacks.
      if (refusal?.code === 'trust_policy_unreadable') unreadable = refusal;
      else if (refusal) {
        tracker.markStep('verify_role', 'failed', refusal.code);
        return tracker.recordError(refusal, 'verify_role');
      }
    }
  } catch (error) {
    const failure = summarizeFailure(error);
    if (failure.code === 'Timeout') {
      failure.code = 'RoleNotAssumable';
      failure.message = `The role still refused AssumeRole with the External ID after ${String(propagation)}. Check its trust policy.`;
    }
    return tracker.recordError(failure, 'verify_role');
  }

  const refusal = await verifyPermissions(tracker, input, ref);
  if (refusal) return refusal;
  if (unreadable) {
    tracker.markStep('verify_role', 'failed', unreadable.code);
    return tracker.recordError(unreadable, 'verify_role');
  }
  tracker.markRoleVerified();
  return undefined;
}

/** The permission preflight: every action the later phases need, granted; the role is verified when it passes. */
async function verifyPermissions(
  tracker: InstallTracker,
  input: InstallInput,
  ref: CustomerAccessInput,
): Promise<InstallError | undefined> {
  try {
    const permissions = await tracker.step('check_permissions', () =>
      quick('Check the role grants every action the install needs').checkRolePermissions({
        access: ref,
        ...permissionCheckSubject(tracker, input),
      }),
    );
    tracker.recordRoleChecks({
      missingPermissions: permissions.missing,
      conditionalPermissions: permissions.conditional,
    });
    // Checks made before the permission set had versions checked version 1, which the status then leaves unsaid.
    if (permissions.version !== undefined) tracker.recordPermissionVersion(permissions.version);
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
  return undefined;
}

/**
 * Who else may assume the role: AssumeRole with a wrong External ID must be refused, and the trust policy (read
 * with iam:GetRole) must name only the vendor with this External ID. Records both on the role; returns the refusal.
 */
export async function checkTrustPolicy(
  tracker: InstallTracker,
  access: CustomerAccessInput,
  activities: (
    summary: string,
  ) => Pick<InstallActivities, 'probeRoleWithWrongExternalId' | 'checkRoleTrustPolicy'> = quick,
  /** During an External ID rotation: the install's other ID, which the trust policy may list too. */
  rotatingExternalId?: string,
): Promise<{ code: string; message: string } | undefined> {
  const probe = await activities('AssumeRole with a wrong External ID must be refused').probeRoleWithWrongExternalId({
    access,
  });
  tracker.recordRoleChecks({ withWrongExternalId: probe.withWrongExternalId });
  const { findings } = await activities(
    'Read the trust policy: only the vendor, only with this External ID',
  ).checkRoleTrustPolicy({
    access,
    ...(rotatingExternalId ? { rotatingExternalId } : {}),
  });
  tracker.recordRoleChecks({ trustPolicyFindings: findings });
  const fromPolicy = describeTrustPolicyFindings(findings);
  // The probe is proof; a policy the check could not read or evaluate says less than it does.
  const policyIsVague =
    !fromPolicy || ['trust_policy_unreadable', 'trust_policy_unverifiable'].includes(fromPolicy.code);
  if (probe.withWrongExternalId === 'allowed' && policyIsVague) {
    return {
      code: 'external_id_not_pinned',
      message: "The role can be assumed with an External ID that is not this install's.",
    };
  }
  return fromPolicy;
}
