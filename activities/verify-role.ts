import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { ApplicationFailure } from '@temporalio/common';
import { accountOfArn, assumedRoleArnPrefix, parseRoleArn } from '../domain/arn';
import {
  installResourceNames,
  roleSessionName,
  type InstallResourceInput,
  type InstallResourceNames,
} from '../domain/install-names';
import { WildcardBudgetExceeded } from '../domain/iam-wildcard';
import {
  evaluatePermissions,
  deprovisionPermissions,
  permissionEvaluationBudget,
  rolePolicySizeProblem,
  type RequiredPermission,
} from '../domain/permissions';
import {
  builtInPermissionSet,
  permissionsAddedAfter,
  provisionPermissionsAt,
  type PermissionSet,
} from '../domain/permission-versions';
import type { PolicyDocument } from '../domain/policy-document';
import { checkTrustPolicy, type TrustPolicyFinding } from '../domain/trust-policy-check';
import type { CustomerAccess, CustomerAccessInput } from '../domain/customer-access';
import { issuerHostPath, oidcProviderArn, type OidcTokenProbe } from '../domain/oidc-trust';
import { impostorKey, signingKeyAt, type TokenRequest } from '../security/oidc-issuer';
import { accessDeniedCodes } from './aws/customer-session';
import { awsErrorCode, awsErrorDetails, callAws, rethrowAwsError } from './aws/errors';
import type { ActivityDeps } from './deps';

export interface VerifiedIdentity {
  assumedRoleArn: string;
  accountId: string;
}

export interface PermissionCheck {
  missing: string[];
  conditional: string[];
  /** The permission set's version the role was checked against (absent from checks made before versions). */
  version?: number;
}

/** A role checked against its install's version and against what the versions since then added. */
export interface PermissionUpgradeCheck extends PermissionCheck {
  /** The newest version this worker knows (its current one). */
  current: number;
  /** What the versions after the install's add, `action on resource`; empty when the install is current. */
  added: string[];
  addedMissing: string[];
  addedConditional: string[];
}

function describePermission(permission: { action: string; resource: string }): string {
  return `${permission.action} on ${permission.resource}`;
}

// IAM returns policy documents URL-encoded.
const emptyPolicy = '{"Version":"2012-10-17","Statement":[]}';
const decodePolicy = (document: string | undefined) => decodeURIComponent(document ?? emptyPolicy);

/** Policies a role cannot have in IAM, or that need more work than one evaluation may spend: never worth a retry. */
function tooComplex(problem: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(problem, 'RolePoliciesTooComplex');
}

/** The role's inline and managed policy documents, refused as soon as they are larger than IAM allows. */
async function readRolePolicies(iam: IAMClient, roleName: string): Promise<PolicyDocument[]> {
  const documents = { inline: [] as string[], managed: [] as string[], awsManaged: [] as string[] };
  const checkSize = () => {
    const problem = rolePolicySizeProblem(documents);
    if (problem) throw tooComplex(problem);
  };
  const inline = await callAws('iam:ListRolePolicies', () =>
    iam.send(new ListRolePoliciesCommand({ RoleName: roleName })),
  );
  for (const policyName of inline.PolicyNames ?? []) {
    const policy = await callAws('iam:GetRolePolicy', () =>
      iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
    );
    documents.inline.push(decodePolicy(policy.PolicyDocument));
    checkSize();
  }
  const attached = await callAws('iam:ListAttachedRolePolicies', () =>
    iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName })),
  );
  for (const { PolicyArn } of attached.AttachedPolicies ?? []) {
    const policy = await callAws('iam:GetPolicy', () => iam.send(new GetPolicyCommand({ PolicyArn })));
    const version = await callAws('iam:GetPolicyVersion', () =>
      iam.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: policy.Policy?.DefaultVersionId })),
    );
    // AWS's own managed policies live in the account named "aws" and are not held to the customer's size limit.
    const owner = accountOfArn(PolicyArn ?? '') === 'aws' ? documents.awsManaged : documents.managed;
    owner.push(decodePolicy(version.PolicyVersion?.Document));
    checkSize();
  }
  return [...documents.inline, ...documents.managed, ...documents.awsManaged].map(
    (document) => JSON.parse(document) as PolicyDocument,
  );
}

/**
 * The role's permissions boundary, if it has one: its ARN and its policy document. An action the install needs must
 * be allowed by the boundary as well as by the role's policies.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 */
async function readPermissionsBoundary(
  iam: IAMClient,
  roleName: string,
): Promise<{ arn: string; document: PolicyDocument } | undefined> {
  const role = await callAws('iam:GetRole', () => iam.send(new GetRoleCommand({ RoleName: roleName })));
  const arn = role?.Role?.PermissionsBoundary?.PermissionsBoundaryArn;
  if (!arn) return undefined;
  const policy = await callAws('iam:GetPolicy', () => iam.send(new GetPolicyCommand({ PolicyArn: arn })));
  const version = await callAws('iam:GetPolicyVersion', () =>
    iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.Policy?.DefaultVersionId })),
  );
  const document = decodePolicy(version.PolicyVersion?.Document);
  const problem =
    accountOfArn(arn) === 'aws'
      ? rolePolicySizeProblem({ inline: [], managed: [], awsManaged: [document] })
      : rolePolicySizeProblem({ inline: [], managed: [document] });
  if (problem) throw tooComplex(`The permissions boundary: ${problem}`);
  return { arn, document: JSON.parse(document) as PolicyDocument };
}

/** Whether AWS refused an AssumeRole the role must refuse; anything else than a refusal is classified and rethrown. */
async function isRefused(assume: () => Promise<unknown>): Promise<boolean> {
  try {
    await assume();
    return false;
  } catch (error) {
    const code = awsErrorCode(error);
    if (code && accessDeniedCodes.has(code)) return true;
    rethrowAwsError(error, 'sts:AssumeRole');
  }
}

function permissionSetOf(deps: ActivityDeps): PermissionSet {
  return deps.permissionSet?.() ?? builtInPermissionSet;
}

/** What a role's policies and its permissions boundary allow of what the install needs. */
interface RoleEvaluation {
  missing: RequiredPermission[];
  conditional: RequiredPermission[];
  /** Allowed by the role's policies, not by its boundary (an action missing from the policies is named there only). */
  outsideBoundary: RequiredPermission[];
  outsideBoundaryConditional: RequiredPermission[];
  boundaryArn?: string;
  /** The boundary the install asked for, when the role has another or none. */
  wrongBoundary?: string;
}

/**
 * Reads the role's own policies and boundary and evaluates what it needs against them; `required` is given the
 * role's ARN, since the inspection actions name the role itself. A role that may not read its own policies lacks the
 * first permissions we need: every `inspect_role` one is reported missing.
 */
async function evaluateRole(
  deps: ActivityDeps,
  accessInput: CustomerAccessInput,
  required: (roleArn: string) => RequiredPermission[],
  permissionsBoundary?: string,
): Promise<RoleEvaluation> {
  const access = await deps.sessions.resolve(accessInput);
  const parsed = parseRoleArn(access.roleArn);
  if (!parsed.ok) throw ApplicationFailure.nonRetryable(parsed.problem.message, 'MalformedRoleArn');
  const { iam } = await deps.sessions.clients(access);
  const needed = required(access.roleArn);
  let policies: PolicyDocument[];
  let boundary: Awaited<ReturnType<typeof readPermissionsBoundary>>;
  try {
    policies = await readRolePolicies(iam, parsed.role.roleName);
    boundary = await readPermissionsBoundary(iam, parsed.role.roleName);
  } catch (error) {
    if (error instanceof ApplicationFailure && error.type && accessDeniedCodes.has(error.type)) {
      const inspect = needed.filter((permission) => permission.purpose === 'inspect_role');
      return { missing: inspect, conditional: [], outsideBoundary: [], outsideBoundaryConditional: [] };
    }
    throw error;
  }
  let report;
  let bounded;
  try {
    const budget = { remaining: permissionEvaluationBudget };
    report = evaluatePermissions(policies, needed, budget);
    bounded = boundary ? evaluatePermissions([boundary.document], needed, budget) : undefined;
  } catch (error) {
    if (!(error instanceof WildcardBudgetExceeded)) throw error;
    throw tooComplex(
      `The role's policies need more wildcard matching than one check may spend (${permissionEvaluationBudget} comparisons).`,
    );
  }
  const notMissing = (permission: RequiredPermission) => !report.missing.includes(permission);
  return {
    ...report,
    outsideBoundary: (bounded?.missing ?? []).filter(notMissing),
    outsideBoundaryConditional: (bounded?.conditional ?? []).filter(notMissing),
    ...(boundary ? { boundaryArn: boundary.arn } : {}),
    ...(permissionsBoundary !== undefined && permissionsBoundary !== boundary?.arn
      ? { wrongBoundary: permissionsBoundary }
      : {}),
  };
}

/** The boundary the install asked for and the role lacks, in words: a missing permission like any other. */
function wrongBoundaryLines(report: RoleEvaluation): string[] {
  return report.wrongBoundary === undefined
    ? []
    : [`the permissions boundary ${report.wrongBoundary} (the role has ${report.boundaryArn ?? 'none'})`];
}

/** The evaluation in words, limited to `among` when given: each missing or conditional permission by name. */
function describeEvaluation(report: RoleEvaluation, among?: RequiredPermission[]): PermissionCheck {
  const keep = (list: RequiredPermission[]) => (among ? list.filter((permission) => among.includes(permission)) : list);
  const outside = (permission: RequiredPermission) =>
    `${describePermission(permission)} (not allowed by the permissions boundary ${report.boundaryArn})`;
  return {
    missing: [...keep(report.missing).map(describePermission), ...keep(report.outsideBoundary).map(outside)],
    conditional: [
      ...keep(report.conditional).map(describePermission),
      ...keep(report.outsideBoundaryConditional).map(outside),
    ],
  };
}
/** What STS answers a token it refuses: the role's trust policy, or the token itself. */
const tokenRefusalCodes = new Set([
  ...accessDeniedCodes,
  'InvalidIdentityToken',
  'InvalidIdentityTokenException',
  'ExpiredTokenException',
]);

/**
 * What STS answers an OIDC install's token while the account's IAM OIDC provider, created moments ago with the role,
 * has not propagated: retried within the same window as a new role's refusal, and shown with the catalog's
 * `invalid_identity_token` cause and fix if it outlasts it (a provider missing or made for another issuer).
 */
const tokenNotYetAcceptedCodes = new Set(['InvalidIdentityToken', 'InvalidIdentityTokenException']);

export function createVerifyRoleActivities(deps: ActivityDeps) {
  return {
    /**
     * One of the tokens an OIDC install's role must refuse (domain/oidc-trust.ts `oidcTokenProbes`), made here and
     * used once: `allowed` means the role would open for it. The token never leaves this activity.
     */
    async probeRoleWithToken(input: {
      access: CustomerAccessInput;
      probe: OidcTokenProbe;
    }): Promise<{ probe: OidcTokenProbe; result: 'refused' | 'allowed' }> {
      const access = await deps.sessions.resolve(input.access);
      const issuer = deps.sessions.oidcIssuer;
      if (!access.oidc || !issuer) {
        throw ApplicationFailure.nonRetryable(
          'This install is not in OIDC trust mode here.',
          'OidcIssuerNotConfigured',
        );
      }
      const ours = access.oidc.subject;
      // Another install's subject that every widening pattern of ours would still match (install:<org>:*, ours*).
      const other = `${ours}-probe-${Buffer.from(deps.randomBytes(8)).toString('hex')}`;
      const token: Omit<TokenRequest, 'now'> = {
        other_subject: { subject: other },
        other_audience: { subject: ours, audience: 'not-sts.amazonaws.com' },
        // Issued two lifetimes ago: expired by one lifetime, beyond any clock skew STS allows.
        expired: { subject: ours, issuedSecondsAgo: 600 },
        unknown_key: { subject: ours, key: impostorKey(signingKeyAt(issuer, Date.now())!) },
      }[input.probe];
      try {
        await deps.sessions.assumeRoleWithToken(access, token, 'probe');
        return { probe: input.probe, result: 'allowed' };
      } catch (error) {
        const code = awsErrorCode(error);
        if (code && tokenRefusalCodes.has(code)) return { probe: input.probe, result: 'refused' };
        rethrowAwsError(error, 'sts:AssumeRoleWithWebIdentity');
      }
    },

    /**
     * AssumeRole with the External ID, then GetCallerIdentity as the new session: the account and role must be
     * the ones the customer gave. A refusal is retryable (type RoleNotAssumable) because a just-created role is
     * refused until IAM propagates it; the workflow bounds how long with the activity's schedule-to-close timeout.
     */
    async verifyRoleAccess(input: { access: CustomerAccess }): Promise<VerifiedIdentity> {
      const { access } = input;
      const parsed = parseRoleArn(access.roleArn);
      if (!parsed.ok) throw ApplicationFailure.nonRetryable(parsed.problem.message, 'MalformedRoleArn');
      let credentials;
      try {
        // The orchestrator's own session: these credentials are kept for the steps that follow.
        credentials = await deps.sessions.assumeRole(access);
      } catch (error) {
        const code = awsErrorCode(error);
        if (code && accessDeniedCodes.has(code)) {
          throw ApplicationFailure.retryable(
            access.oidc
              ? `The role ${access.roleArn} refused AssumeRoleWithWebIdentity with this install's token (${code}).`
              : `The role ${access.roleArn} refused AssumeRole with this install's External ID (${code}).`,
            'RoleNotAssumable',
            awsErrorDetails(error, 'sts:AssumeRole'),
          );
        }
        if (access.oidc && code && tokenNotYetAcceptedCodes.has(code)) {
          throw ApplicationFailure.retryable(
            `STS refused this install's token for ${access.roleArn} (${code}): the account's IAM OIDC provider is ` +
              "missing, still propagating, or not for the vendor's issuer.",
            'InvalidIdentityToken',
            awsErrorDetails(error, 'sts:AssumeRoleWithWebIdentity'),
          );
        }
        // Anything else is permanent, ValidationError included: STS means a bad ARN or a session longer than
        // allowed by it, and the error catalog tells which from the message.
        rethrowAwsError(error, 'sts:AssumeRole');
      }
      const { sts } = deps.sessions.remember(access, credentials);
      const identity = await callAws('sts:GetCallerIdentity', () => sts.send(new GetCallerIdentityCommand({})));
      const expectedPrefix = assumedRoleArnPrefix(parsed.role);
      if (identity.Account !== parsed.role.accountId || !identity.Arn?.startsWith(expectedPrefix)) {
        throw ApplicationFailure.nonRetryable(
          `The session is ${identity.Arn} in account ${identity.Account}, not the role ${access.roleArn}.`,
          'IdentityMismatch',
        );
      }
      return { assumedRoleArn: identity.Arn, accountId: identity.Account };
    },

    /**
     * The confused-deputy check: the same call without the External ID must be refused. `allowed` means anyone
     * who learns the role ARN and can act as the vendor principal could use it for another customer.
     */
    async probeRoleWithoutExternalId(input: {
      access: CustomerAccessInput;
    }): Promise<{ withoutExternalId: 'refused' | 'allowed' }> {
      const access = await deps.sessions.resolve(input.access);
      try {
        await deps.aws.vendorSts().send(
          new AssumeRoleCommand({
            RoleArn: access.roleArn,
            RoleSessionName: roleSessionName(access.installId, 'probe'),
          }),
        );
        return { withoutExternalId: 'allowed' };
      } catch (error) {
        const code = awsErrorCode(error);
        if (code && accessDeniedCodes.has(code)) return { withoutExternalId: 'refused' };
        rethrowAwsError(error, 'sts:AssumeRole');
      }
    },

    /**
     * The same call with an External ID that is not this install's must be refused too: `allowed` means the trust
     * policy accepts other IDs (several values, a StringLike pattern), so the vendor could be steered into using the
     * role for another customer. The wrong ID is random, made here: never in workflow code, never in history.
     */
    async probeRoleWithWrongExternalId(input: {
      access: CustomerAccessInput;
    }): Promise<{ withWrongExternalId: 'refused' | 'allowed' }> {
      const access = await deps.sessions.resolve(input.access);
      let wrongId = Buffer.from(deps.randomBytes(24)).toString('hex');
      if (wrongId === access.externalId) wrongId = `${wrongId}0`;
      const refused = await isRefused(() =>
        deps.aws.vendorSts().send(
          new AssumeRoleCommand({
            RoleArn: access.roleArn,
            ExternalId: wrongId,
            RoleSessionName: roleSessionName(access.installId, 'probe'),
          }),
        ),
      );
      return { withWrongExternalId: refused ? 'refused' : 'allowed' };
    },

    /**
     * Reads the role's trust policy as the role itself (iam:GetRole, which the provision policy grants) and judges
     * it (domain/trust-policy-check.ts): only the vendor principal, only with this install's External ID. A role
     * that may not read itself gets the finding `trust_policy_unreadable` rather than a failure, as the permission
     * preflight reports a role that may not read its policies.
     */
    async checkRoleTrustPolicy(input: {
      access: CustomerAccessInput;
      /** During an External ID rotation: the install's other ID, which the policy may list beside the one in use. */
      rotatingExternalId?: string;
    }): Promise<{ findings: TrustPolicyFinding[] }> {
      const access = await deps.sessions.resolve(input.access);
      const parsed = parseRoleArn(access.roleArn);
      if (!parsed.ok) throw ApplicationFailure.nonRetryable(parsed.problem.message, 'MalformedRoleArn');
      const { iam } = await deps.sessions.clients(access);
      let document: string | undefined;
      try {
        const role = await callAws('iam:GetRole', () =>
          iam.send(new GetRoleCommand({ RoleName: parsed.role.roleName })),
        );
        document = role.Role?.AssumeRolePolicyDocument;
      } catch (error) {
        if (error instanceof ApplicationFailure && error.type && accessDeniedCodes.has(error.type)) {
          return {
            findings: [
              { code: 'trust_policy_unreadable', statement: '', problem: `iam:GetRole was refused (${error.type})` },
            ],
          };
        }
        throw error;
      }
      // IAM returns policy documents URL-encoded (RFC 3986).
      let decoded: string;
      try {
        decoded = decodeURIComponent(document ?? '');
      } catch {
        decoded = document ?? '';
      }
      const issuer = deps.sessions.oidcIssuer;
      const oidc =
        access.oidc && issuer
          ? {
              providerArn: oidcProviderArn(parsed.role.accountId, issuer.issuerUrl, parsed.role.partition),
              conditionPrefix: issuerHostPath(issuer.issuerUrl),
              subject: access.oidc.subject,
            }
          : undefined;
      return {
        findings: checkTrustPolicy(decoded, {
          vendorPrincipalArn: deps.vendor.principalArn,
          externalId: access.externalId,
          ...(oidc ? { oidc } : {}),
          ...(input.rotatingExternalId ? { rotatingExternalId: input.rotatingExternalId } : {}),
        }),
      };
    },

    /**
     * Reads the role's own policies and reports, by name, each action the later phases need but lack. Takes what the
     * names are made from (`resources`), a third of the bytes of the names themselves (`names`, from before).
     */
    async checkRolePermissions(input: {
      access: CustomerAccessInput;
      resources?: InstallResourceInput;
      names?: InstallResourceNames;
      /** The boundary the install asked the kit to set: the role must have exactly it. */
      permissionsBoundary?: string;
      /** The version to check against; the worker's current one (onboarding) when omitted. */
      version?: number;
    }): Promise<PermissionCheck> {
      const names = input.names ?? installResourceNames(input.resources!);
      const set = permissionSetOf(deps);
      const version = Math.min(input.version ?? set.current, set.current);
      // The role's own ARN, whatever its name: a role not named as the kit names it must still be able to read itself.
      const report = await evaluateRole(
        deps,
        input.access,
        (roleArn) => [...provisionPermissionsAt(names, set, version, roleArn), ...deprovisionPermissions(names)],
        input.permissionsBoundary,
      );
      const check = describeEvaluation(report);
      return { missing: [...wrongBoundaryLines(report), ...check.missing], conditional: check.conditional, version };
    },

    /**
     * The re-verification's preflight: the role against its install's version (what it agreed to), and against what
     * the versions since then add, in one read of its policies. Nothing added when the install is current.
     */
    async checkPermissionUpgrade(input: {
      access: CustomerAccessInput;
      resources: InstallResourceInput;
      version: number;
      permissionsBoundary?: string;
    }): Promise<PermissionUpgradeCheck> {
      const names = installResourceNames(input.resources);
      const set = permissionSetOf(deps);
      const version = Math.min(input.version, set.current);
      let held: RequiredPermission[] = [];
      let added: RequiredPermission[] = [];
      const report = await evaluateRole(
        deps,
        input.access,
        (roleArn) => {
          held = [...provisionPermissionsAt(names, set, version, roleArn), ...deprovisionPermissions(names)];
          added = permissionsAddedAfter(names, set, version, set.current, roleArn);
          return [...held, ...added];
        },
        input.permissionsBoundary,
      );
      const heldCheck = describeEvaluation(report, held);
      const addedCheck = describeEvaluation(report, added);
      return {
        version,
        current: set.current,
        missing: [...wrongBoundaryLines(report), ...heldCheck.missing],
        conditional: heldCheck.conditional,
        added: added.map(describePermission),
        addedMissing: addedCheck.missing,
        addedConditional: addedCheck.conditional,
      };
    },
  };
}
