import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../config/deployment';
import { readPermissionSet } from '../../config/permission-versions';
import { installResourceNames, suggestedRoleName } from '../../domain/install-names';
import { renderOnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { renderPermissionUpgradeKit } from '../../domain/permission-upgrade-kit';
import {
  builtInPermissionSet,
  installPermissionVersion,
  permissionSetOf,
  permissionsAddedAfter,
  permissionSetVersions,
  PermissionVersionsError,
  provisionPermissionsAt,
  versionNotes,
} from '../../domain/permission-versions';
import { evaluatePermissions, provisionPermissions } from '../../domain/permissions';

const install = { installId: 'acme-1', awsAccountId: '111111111111', region: 'eu-west-1' };
const names = installResourceNames(install);
/** The first release's versions only, so the versions these tests ship are 2 and 3 whatever code ships later. */
const firstRelease = permissionSetVersions.slice(0, 1);
const setOf = (extra: unknown, pinned?: number) => permissionSetOf(extra, pinned, firstRelease);
const listQueueTags = { purpose: 'sandbox', action: 'sqs:ListQueueTags', resource: 'sandbox_queues' };
/** The vendor ships version 2 with one more action, and version 3 with another. */
const shipped = setOf([
  { version: 2, note: 'Read the sandbox queues’ tags.', added: [listQueueTags] },
  { version: 3, added: [{ purpose: 'cost_report', action: 's3:GetBucketVersioning', resource: 'cur_bucket' }] },
]);

describe('permission set versions', () => {
  it('makes version 1 the provision list as it is, and the newest version current', () => {
    expect(builtInPermissionSet.current).toBe(permissionSetVersions.at(-1)!.version);
    expect(provisionPermissionsAt(names, builtInPermissionSet, 1)).toEqual(provisionPermissions(names));
    expect(shipped.current).toBe(3);
    expect(provisionPermissionsAt(names, shipped, 1)).toEqual(provisionPermissions(names));
  });

  it('adds each version’s actions on the install’s own resources, and names what a version adds after another', () => {
    const queues = `arn:aws:sqs:eu-west-1:111111111111:${names.sandboxResourcePrefix}*`;
    expect(provisionPermissionsAt(names, shipped, 2)).toEqual([
      ...provisionPermissions(names),
      { purpose: 'sandbox', action: 'sqs:ListQueueTags', resource: queues },
    ]);
    expect(permissionsAddedAfter(names, shipped, 1, 2)).toEqual([
      { purpose: 'sandbox', action: 'sqs:ListQueueTags', resource: queues },
    ]);
    expect(permissionsAddedAfter(names, shipped, 1).map((permission) => permission.action)).toEqual([
      'sqs:ListQueueTags',
      's3:GetBucketVersioning',
    ]);
    expect(permissionsAddedAfter(names, shipped, 3)).toEqual([]);
    expect(versionNotes(shipped, 1)).toEqual(['v2: Read the sandbox queues’ tags.']);
  });

  it('ships version 2 in code: the runner role’s actions, on that role alone', () => {
    const runnerRole = `arn:aws:iam::111111111111:role/${names.sandboxResourcePrefix}runner`;
    const added = permissionsAddedAfter(names, builtInPermissionSet, 1, 2);
    expect(added.map((permission) => permission.action)).toEqual([
      'iam:CreateRole',
      'iam:TagRole',
      'iam:DeleteRole',
      'iam:GetRole',
      'iam:ListRolePolicies',
      'iam:ListAttachedRolePolicies',
    ]);
    expect(new Set(added.map((permission) => permission.resource))).toEqual(new Set([runnerRole]));
  });

  it('adds nothing for an action version 1 already grants on that resource', () => {
    const repeat = setOf([
      { version: 2, added: [{ purpose: 'sandbox', action: 'sqs:tagqueue', resource: 'sandbox_queues' }] },
    ]);
    expect(permissionsAddedAfter(names, repeat, 1)).toEqual([]);
  });

  it('pins the current version below the newest when asked, and never checks past it', () => {
    const pinned = setOf([{ version: 2, added: [listQueueTags] }], 1);
    expect(pinned.current).toBe(1);
    expect(provisionPermissionsAt(names, pinned, 2)).toEqual(provisionPermissions(names));
    expect(permissionsAddedAfter(names, pinned, 1)).toEqual([]);
  });

  it('treats an install verified before versions as verified against version 1', () => {
    expect(installPermissionVersion({})).toBe(1);
    expect(installPermissionVersion({ permissions: { version: 2 } })).toBe(2);
  });

  it.each([
    ['a version out of order', [{ version: 3, added: [listQueueTags] }], /versions\[0\]\.version must be 2/],
    ['a version that adds nothing', [{ version: 2, added: [] }], /added must list 1 to 50/],
    ['a wildcard action', [{ version: 2, added: [{ ...listQueueTags, action: 'sqs:*' }] }], /without wildcards/],
    ['a teardown action', [{ version: 2, added: [{ ...listQueueTags, purpose: 'teardown' }] }], /purpose must be/],
    [
      'an ARN instead of a named resource',
      [{ version: 2, added: [{ ...listQueueTags, resource: 'arn:aws:sqs:*' }] }],
      /resource must be/,
    ],
    [
      'too many versions',
      Array.from({ length: 51 }, (_, i) => ({ version: i + 2, added: [listQueueTags] })),
      /At most 50/,
    ],
    ['a note too long', [{ version: 2, note: 'x'.repeat(301), added: [listQueueTags] }], /note must be/],
    ['not a list', { version: 2 }, /must be a list/],
  ])('refuses %s', (_label, versions, message) => {
    expect(() => setOf(versions)).toThrow(PermissionVersionsError);
    expect(() => setOf(versions)).toThrow(message);
  });

  it('refuses a pinned version it does not have', () => {
    expect(() => setOf([], 2)).toThrow(/from 1 to 1/);
  });
});

describe('the permission upgrade kit', () => {
  const kit = renderPermissionUpgradeKit({
    install,
    set: shipped,
    fromVersion: 1,
    toVersion: 2,
    roleName: 'acme-access',
    roleTemplateUrl: 'https://vendor.example/installs/acme-1/onboarding/role-template.json',
  });

  it('renders a provision policy that grants everything of the new version, and that version 1’s does not', () => {
    // Each policy reads only its own role: the kit's is the role it names, the onboarding kit's the suggested one.
    const roleArn = (roleName: string) => `arn:${names.partition}:iam::${names.accountId}:role/${roleName}`;
    const required = provisionPermissionsAt(names, shipped, 2, roleArn('acme-access'));
    expect(evaluatePermissions([kit.provisionPolicy], required).missing).toEqual([]);
    const requiredOfSuggested = provisionPermissionsAt(
      names,
      shipped,
      2,
      roleArn(suggestedRoleName(install.installId)),
    );
    const before = renderOnboardingArtifacts({
      install,
      externalId: 'e'.repeat(48),
      vendorPrincipalArn: 'arn:aws:iam::123456789012:role/vendor',
      roleTemplateUrl: 'https://vendor.example/installs/acme-1/onboarding/role-template.json',
    });
    expect(evaluatePermissions([before.provisionPolicy], requiredOfSuggested).missing.map((p) => p.action)).toEqual([
      'sqs:ListQueueTags',
    ]);
    expect(kit.addedActions).toEqual([expect.stringMatching(/^sqs:ListQueueTags on arn:aws:sqs:eu-west-1:/)]);
    expect(kit.notes).toEqual(['v2: Read the sandbox queues’ tags.']);
  });

  it('links the role’s onboarding stack for an update with the role template, and says the same with the CLI and Terraform', () => {
    const url = new URL(kit.stackUpdateUrl);
    expect(url.host).toBe('console.aws.amazon.com');
    expect(url.searchParams.get('region')).toBe('eu-west-1');
    const fragment = new URLSearchParams(url.hash.split('?')[1]);
    expect(url.hash.startsWith('#/stacks/update/template?')).toBe(true);
    expect(fragment.get('stackId')).toBe('install-acme-1-access');
    expect(fragment.get('templateURL')).toBe('https://vendor.example/installs/acme-1/onboarding/role-template.json');
    expect(kit.cli).toContain('aws cloudformation update-stack --region eu-west-1 --stack-name install-acme-1-access');
    expect(kit.cli).toContain('ParameterKey=ExternalId,UsePreviousValue=true');
    expect(kit.cli).toContain(`--policy-document '${JSON.stringify(kit.provisionPolicy)}'`);
    expect(kit.terraform).toContain('role   = "acme-access"');
    expect(kit.terraform).toContain(`policy = jsonencode(${JSON.stringify(kit.provisionPolicy)})`);
  });
});

describe('PERMISSION_VERSIONS_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'permission-versions-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('adds the versions of the file to those in code, the newest current unless PERMISSION_SET_VERSION pins one', () => {
    const path = file('v3.json', JSON.stringify({ versions: [{ version: 3, added: [listQueueTags] }] }));
    expect(readPermissionSet({ PERMISSION_VERSIONS_FILE: path }).current).toBe(3);
    expect(readPermissionSet({ PERMISSION_VERSIONS_FILE: path, PERMISSION_SET_VERSION: '1' }).current).toBe(1);
    expect(readPermissionSet({})).toBe(builtInPermissionSet);
  });

  it.each([
    ['not JSON', '{ versions: ', /not JSON/],
    ['a bad version', JSON.stringify({ versions: [{ version: 7, added: [listQueueTags] }] }), /version must be 3/],
  ])('stops the process on a file that is %s, naming the variable', (_label, text, message) => {
    const path = file('bad.json', text);
    expect(() => readPermissionSet({ PERMISSION_VERSIONS_FILE: path })).toThrow(ConfigError);
    expect(() => readPermissionSet({ PERMISSION_VERSIONS_FILE: path })).toThrow(message);
  });

  it('refuses a pinned version that is not a version', () => {
    expect(() => readPermissionSet({ PERMISSION_SET_VERSION: 'two' })).toThrow(/from 1 to 2; got NaN/);
  });
});
