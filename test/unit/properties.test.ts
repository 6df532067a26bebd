import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { createOnboardingActivities } from '../../activities/onboarding';
import type { ActivityDeps } from '../../activities/deps';
import { checkRoleArnForInstall, parseRoleArn } from '../../domain/arn';
import { renderOnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { evaluatePermissions, provisionPermissions, deprovisionPermissions } from '../../domain/permissions';
import { installResourceNames, installRoleArn } from '../../domain/install-names';

const accountId = fc.stringMatching(/^\d{12}$/);
const roleName = fc.stringMatching(/^[\w+=,.@-]{1,64}$/);
const installId = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/);
const externalId = fc.stringMatching(/^[0-9a-f]{48}$/);
const region = fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2', 'cn-north-1', 'us-gov-west-1');

describe('properties of the ARN checks and the policy renderers (fast-check)', () => {
  it('accepts every well-formed role ARN and gives back its parts', () => {
    fc.assert(
      fc.property(accountId, roleName, fc.constantFrom('/', '/team/', '/a/b/c/'), (account, name, path) => {
        const arn = `arn:aws:iam::${account}:role${path}${name}`;
        const result = parseRoleArn(arn);
        return (
          result.ok && result.role.accountId === account && result.role.roleName === name && result.role.path === path
        );
      }),
    );
  });

  it('never accepts an ARN for another account than the install expects', () => {
    fc.assert(
      fc.property(accountId, accountId, roleName, (expected, actual, name) => {
        fc.pre(expected !== actual);
        return !checkRoleArnForInstall(`arn:aws:iam::${actual}:role/${name}`, { accountId: expected, partition: 'aws' })
          .ok;
      }),
    );
  });

  it('answers any string with a verdict, never an exception, and accepts only role ARNs', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'grapheme', maxLength: 300 }),
          fc.string({ minLength: 3000, maxLength: 12000 }),
        ),
        (input) => {
          const result = parseRoleArn(input);
          return !result.ok || /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\//.test(result.role.arn);
        },
      ),
    );
  });

  it('always renders a trust policy that names only the vendor and requires this External ID', () => {
    fc.assert(
      fc.property(installId, accountId, region, externalId, accountId, (id, account, home, external, vendorAccount) => {
        const vendor = `arn:aws:iam::${vendorAccount}:role/vendor`;
        const artifacts = renderOnboardingArtifacts({
          install: { installId: id, awsAccountId: account, region: home },
          externalId: external,
          vendorPrincipalArn: vendor,
          roleTemplateUrl: 'https://templates.example/role.json',
        });
        return artifacts.trustPolicy.Statement.every(
          (statement) =>
            statement.Effect === 'Allow' &&
            JSON.stringify(statement.Principal) === JSON.stringify({ AWS: vendor }) &&
            statement.Condition?.StringEquals?.['sts:ExternalId'] === external,
        );
      }),
    );
  });

  it('always renders permission policies that grant everything the preflight will check', () => {
    fc.assert(
      fc.property(installId, accountId, region, (id, account, home) => {
        const install = { installId: id, awsAccountId: account, region: home };
        const artifacts = renderOnboardingArtifacts({
          install,
          externalId: 'e'.repeat(48),
          vendorPrincipalArn: 'arn:aws:iam::123456789012:role/vendor',
          roleTemplateUrl: 'https://templates.example/role.json',
        });
        const names = installResourceNames(install);
        const report = evaluatePermissions(
          [artifacts.provisionPolicy, artifacts.deprovisionPolicy],
          [...provisionPermissions(names, installRoleArn(names, artifacts.roleName)), ...deprovisionPermissions(names)],
        );
        return report.missing.length === 0 && report.conditional.length === 0;
      }),
    );
  });
});

describe('External IDs', () => {
  it('are 192 random bits from the CSPRNG: 10,000 of them are all distinct and evenly spread', async () => {
    const { prepareOnboarding } = createOnboardingActivities({
      randomBytes: (size: number) => randomBytes(size),
      vendor: { principalArn: 'arn:aws:iam::123456789012:role/vendor', roleTemplateBaseUrl: 'https://t.example' },
    } as unknown as ActivityDeps);
    const ids = await Promise.all(Array.from({ length: 10_000 }, (_, i) => prepareOnboarding({ installId: `i-${i}` })));
    const externalIds = ids.map((id) => id.externalId);
    expect(new Set(externalIds).size).toBe(10_000);
    expect(externalIds.every((id) => /^[0-9a-f]{48}$/.test(id))).toBe(true);
    // Each hex digit should appear about 1/16 of the time; a biased or constant source would not.
    const counts = new Map<string, number>();
    for (const char of externalIds.join('')) counts.set(char, (counts.get(char) ?? 0) + 1);
    const expected = (10_000 * 48) / 16;
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.05);
  });
});
