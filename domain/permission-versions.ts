import { expectedRunnerIdentity, type InstallResourceNames } from './install-names';
import { curApiRegion, provisionPermissions, type PermissionPurpose, type RequiredPermission } from './permissions';

/**
 * The provision policy is versioned: version 1 is `provisionPermissions` as it is; each later version adds actions.
 * An install records the version its role was verified against and is only ever checked against that one, so an
 * install onboarded before a version shipped is not flagged for actions it never agreed to; it is asked to take
 * them on instead (phase `awaiting_permission_upgrade`).
 *
 * Versions come from code (`permissionSetVersions`) and, for a vendor shipping new actions without a release of the
 * orchestrator, from a JSON file (PERMISSION_VERSIONS_FILE, read in config/permission-versions.ts):
 *
 *     { "versions": [{ "version": 2, "note": "Tag sandbox queues' readers",
 *                      "added": [{ "purpose": "sandbox", "action": "sqs:ListQueueTags", "resource": "sandbox_queues" }] }] }
 */

/** What an added action is granted on, named rather than written out: the ARNs differ per install. */
export const permissionResources = [
  'sandbox_stack',
  'sandbox_buckets',
  'sandbox_queues',
  'cur_bucket',
  'report_definitions',
  'data_exports',
  'runner_role',
  'any',
] as const;
export type PermissionResource = (typeof permissionResources)[number];

/** Purposes a version may add to: teardown has its own policy, which versions leave alone. */
export const addablePurposes = ['inspect_role', 'sandbox', 'cost_report'] as const;
export type AddablePurpose = (typeof addablePurposes)[number] & PermissionPurpose;

export interface PermissionAddition {
  purpose: AddablePurpose;
  /** One IAM action, named exactly (`service:Action`, no wildcard): the preflight checks each by name. */
  action: string;
  resource: PermissionResource;
}

export interface PermissionVersion {
  version: number;
  /** Why the vendor needs the new actions, for the customer who is asked to grant them. */
  note?: string;
  added: PermissionAddition[];
}

/** The versions a worker or the API knows, and which one new installs are verified against. */
export interface PermissionSet {
  versions: readonly PermissionVersion[];
  current: number;
}

/** The versions shipped in code. A vendor adds one here (or in PERMISSION_VERSIONS_FILE) with the actions it adds. */
export const permissionSetVersions: readonly PermissionVersion[] = [
  { version: 1, note: 'The provision policy of the first release.', added: [] },
  {
    version: 2,
    // Versions add to the provision policy only, so the runner role's teardown actions are there too: CloudFormation
    // deletes the role with the install role's permissions when the sandbox stack is deleted.
    note: 'The sandbox creates the role the runner runs as, whose identity the runner proves at check-in.',
    added: [
      { purpose: 'sandbox', action: 'iam:CreateRole', resource: 'runner_role' },
      { purpose: 'sandbox', action: 'iam:TagRole', resource: 'runner_role' },
      { purpose: 'sandbox', action: 'iam:DeleteRole', resource: 'runner_role' },
      { purpose: 'sandbox', action: 'iam:GetRole', resource: 'runner_role' },
      { purpose: 'sandbox', action: 'iam:ListRolePolicies', resource: 'runner_role' },
      { purpose: 'sandbox', action: 'iam:ListAttachedRolePolicies', resource: 'runner_role' },
    ],
  },
];

export const builtInPermissionSet: PermissionSet = {
  versions: permissionSetVersions,
  current: permissionSetVersions.at(-1)!.version,
};

/** Bounds on what a versions file may hold: it is read at every start and its actions go into every policy. */
export const permissionVersionLimits = { versions: 50, addedPerVersion: 50, noteCharacters: 300 };

// A service prefix and an action name as IAM spells them; no wildcard, since each is checked by name.
const actionPattern = /^[a-z0-9-]{2,40}:[A-Za-z0-9]{2,100}$/;

export class PermissionVersionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermissionVersionsError';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The set of the built-in versions (those in code unless `builtIn` says) and `extra` (numbered on from the last
 * built-in one, one by one), with `current` the newest unless pinned. Throws PermissionVersionsError naming the first thing wrong.
 */
export function permissionSetOf(
  extra: unknown,
  pinned?: number,
  builtIn: readonly PermissionVersion[] = permissionSetVersions,
): PermissionSet {
  if (!Array.isArray(extra)) throw new PermissionVersionsError('versions must be a list.');
  if (extra.length > permissionVersionLimits.versions) {
    throw new PermissionVersionsError(`At most ${permissionVersionLimits.versions} versions; got ${extra.length}.`);
  }
  const versions: PermissionVersion[] = [...builtIn];
  for (const [index, raw] of extra.entries()) {
    const where = `versions[${index}]`;
    const expected = versions.at(-1)!.version + 1;
    if (!isObject(raw) || raw.version !== expected) {
      throw new PermissionVersionsError(`${where}.version must be ${expected} (versions count up by one).`);
    }
    if (
      raw.note !== undefined &&
      (typeof raw.note !== 'string' || raw.note.length > permissionVersionLimits.noteCharacters)
    ) {
      throw new PermissionVersionsError(
        `${where}.note must be text of at most ${permissionVersionLimits.noteCharacters} characters.`,
      );
    }
    if (
      !Array.isArray(raw.added) ||
      raw.added.length === 0 ||
      raw.added.length > permissionVersionLimits.addedPerVersion
    ) {
      throw new PermissionVersionsError(
        `${where}.added must list 1 to ${permissionVersionLimits.addedPerVersion} actions.`,
      );
    }
    const added = raw.added.map((entry: unknown, at): PermissionAddition => {
      const path = `${where}.added[${at}]`;
      if (!isObject(entry)) throw new PermissionVersionsError(`${path} must be an object.`);
      const { purpose, action, resource } = entry;
      if (typeof purpose !== 'string' || !(addablePurposes as readonly string[]).includes(purpose)) {
        throw new PermissionVersionsError(`${path}.purpose must be one of ${addablePurposes.join(', ')}.`);
      }
      if (typeof action !== 'string' || action.length > 141 || !actionPattern.test(action)) {
        throw new PermissionVersionsError(`${path}.action must be one IAM action, service:Action, without wildcards.`);
      }
      if (typeof resource !== 'string' || !(permissionResources as readonly string[]).includes(resource)) {
        throw new PermissionVersionsError(`${path}.resource must be one of ${permissionResources.join(', ')}.`);
      }
      return { purpose: purpose as AddablePurpose, action, resource: resource as PermissionResource };
    });
    versions.push({ version: expected, ...(raw.note !== undefined ? { note: raw.note as string } : {}), added });
  }
  const newest = versions.at(-1)!.version;
  if (pinned !== undefined && (!Number.isInteger(pinned) || pinned < 1 || pinned > newest)) {
    throw new PermissionVersionsError(`The current version must be a version from 1 to ${newest}; got ${pinned}.`);
  }
  return { versions, current: pinned ?? newest };
}

/** The ARN an added action is granted on, for this install. */
function resourceArn(names: InstallResourceNames, resource: PermissionResource): string {
  const { partition: p, accountId: account, region } = names;
  switch (resource) {
    case 'sandbox_stack':
      return `arn:${p}:cloudformation:${region}:${account}:stack/${names.stackName}/*`;
    case 'sandbox_buckets':
      return `arn:${p}:s3:::${names.sandboxResourcePrefix}*`;
    case 'sandbox_queues':
      return `arn:${p}:sqs:${region}:${account}:${names.sandboxResourcePrefix}*`;
    case 'cur_bucket':
      return `arn:${p}:s3:::${names.curBucket}`;
    case 'report_definitions':
      return `arn:${p}:cur:${curApiRegion}:${account}:definition/*`;
    case 'data_exports':
      return `arn:${p}:bcm-data-exports:${curApiRegion}:${account}:export/*`;
    case 'runner_role':
      // By its exact name: a wildcard on the legacy prefix would also cover the install's own role.
      return expectedRunnerIdentity(names);
    case 'any':
      return '*';
  }
}

function resolve(names: InstallResourceNames, version: PermissionVersion): RequiredPermission[] {
  return version.added.map(({ purpose, action, resource }) => ({
    purpose,
    action,
    resource: resourceArn(names, resource),
  }));
}

const sameGrant = (a: RequiredPermission, b: RequiredPermission) =>
  a.action.toLowerCase() === b.action.toLowerCase() && a.resource === b.resource;

function withoutRepeats(permissions: RequiredPermission[]): RequiredPermission[] {
  return permissions.filter(
    (permission, index) => permissions.findIndex((other) => sameGrant(other, permission)) === index,
  );
}

/** An install's version as recorded; installs verified before versions existed were verified against version 1. */
export function installPermissionVersion(status: { permissions?: { version: number } }): number {
  return status.permissions?.version ?? 1;
}

/**
 * The provision permissions of `version` (at most the set's current one): version 1's list and every addition since.
 * `ownRole` is the role whose policies the inspection actions read (see provisionPermissions).
 */
export function provisionPermissionsAt(
  names: InstallResourceNames,
  set: PermissionSet,
  version: number = set.current,
  ownRole?: string | string[],
): RequiredPermission[] {
  const upTo = Math.min(version, set.current);
  const added = set.versions
    .filter((entry) => entry.version > 1 && entry.version <= upTo)
    .flatMap((entry) => resolve(names, entry));
  return withoutRepeats([...provisionPermissions(names, ownRole), ...added]);
}

/** What `to` requires that `from` did not: what an install verified at `from` is asked to grant. */
export function permissionsAddedAfter(
  names: InstallResourceNames,
  set: PermissionSet,
  from: number,
  to: number = set.current,
  ownRole?: string | string[],
): RequiredPermission[] {
  const held = provisionPermissionsAt(names, set, from, ownRole);
  return provisionPermissionsAt(names, set, to, ownRole).filter(
    (permission) => !held.some((other) => sameGrant(other, permission)),
  );
}

/** The notes of the versions after `from` up to `to`, for the customer asked to grant their actions. */
export function versionNotes(set: PermissionSet, from: number, to: number = set.current): string[] {
  return set.versions
    .filter((entry) => entry.version > from && entry.version <= to && entry.note)
    .map((entry) => `v${entry.version}: ${entry.note}`);
}
