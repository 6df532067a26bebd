import fc from 'fast-check';
import { artifactsOf } from '../../client/api/routes/onboarding';
import type { InstallStatus } from '../../workflows/definitions';
import { matchesIamWildcard } from '../../domain/iam-wildcard';
import { installResourceNames, maxSandboxPrefixLength, sandboxResourcePrefix } from '../../domain/install-names';
import { deprovisionPermissions, provisionPermissions } from '../../domain/permissions';
import { renderSandboxTemplate } from '../../domain/sandbox-template';

const installId = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/);
// Ids that share most of their text are the ones a prefix scheme confuses: one extends another, or they differ late.
const relatedIds = fc
  .oneof(
    fc.tuple(installId, fc.stringMatching(/^[a-z0-9-]{0,12}[a-z0-9]$/)).map(([id, tail]) => [id, `${id}-${tail}`]),
    fc.tuple(installId, fc.stringMatching(/^[a-z0-9-]{0,12}[a-z0-9]$/)).map(([id, tail]) => [id, `${id}${tail}`]),
    fc
      .tuple(
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{35,37}$/),
        fc.stringMatching(/^[a-z0-9]$/),
        fc.stringMatching(/^[a-z0-9]$/),
      )
      .map(([head, a, b]) => [`${head}${a}`, `${head}${b}`]),
    fc.tuple(installId, installId),
  )
  .filter(([a, b]) => a !== b && [a, b].every((id) => /^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/.test(id!)));

const account = '111111111111';
const region = 'eu-west-1';

/** The names the sandbox template gives its resources (Fn::Sub over ResourcePrefix and AccountId), as ARNs. */
function sandboxResourceArns(id: string): { bucket: string; queue: string } {
  const prefix = sandboxResourcePrefix(id);
  const resources = renderSandboxTemplate('runner-minimal').Resources as Record<
    string,
    { Properties: Record<string, { 'Fn::Sub': string }> }
  >;
  const sub = (template: string) => template.replace('${ResourcePrefix}', prefix).replace('${AccountId}', account);
  return {
    bucket: sub(resources.RunnerArtifacts!.Properties.BucketName!['Fn::Sub']),
    queue: sub(resources.RunnerJobs!.Properties.QueueName!['Fn::Sub']),
  };
}

/** The grants on sandbox resources in both of an install's policies. */
function sandboxGrants(id: string): string[] {
  const names = installResourceNames({ installId: id, awsAccountId: account, region });
  return [...provisionPermissions(names), ...deprovisionPermissions(names)]
    .map((permission) => permission.resource)
    .filter((resource) => resource.includes(names.sandboxResourcePrefix));
}

describe('sandbox name prefixes (fast-check)', () => {
  it("never let one install's grants cover another install's sandbox resources", () => {
    fc.assert(
      fc.property(relatedIds, ([a, b]) => {
        const pairs: Array<[string, string]> = [
          [a!, b!],
          [b!, a!],
        ];
        for (const [grantee, other] of pairs) {
          const { bucket, queue } = sandboxResourceArns(other);
          const arns = [`arn:aws:s3:::${bucket}`, `arn:aws:sqs:${region}:${account}:${queue}`];
          for (const grant of sandboxGrants(grantee)) {
            for (const arn of arns)
              expect({ grant, arn, covered: matchesIamWildcard(grant, arn) }).toMatchObject({ covered: false });
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("cover the install's own sandbox resources", () => {
    fc.assert(
      fc.property(installId, (id) => {
        const { bucket, queue } = sandboxResourceArns(id);
        const grants = sandboxGrants(id);
        expect(grants.some((grant) => matchesIamWildcard(grant, `arn:aws:s3:::${bucket}`))).toBe(true);
        expect(grants.some((grant) => matchesIamWildcard(grant, `arn:aws:sqs:${region}:${account}:${queue}`))).toBe(
          true,
        );
      }),
    );
  });

  it('give valid bucket (at most 63 characters) and queue names for every install id, 40 characters included', () => {
    fc.assert(
      fc.property(fc.oneof(installId, fc.stringMatching(/^[a-z0-9][a-z0-9-]{38}[a-z0-9]$/)), (id) => {
        const { bucket, queue } = sandboxResourceArns(id);
        expect(sandboxResourcePrefix(id).length).toBeLessThanOrEqual(maxSandboxPrefixLength);
        expect(bucket.length).toBeLessThanOrEqual(63);
        // S3: lower case, digits, hyphens (no dots here), letters or digits at both ends, none of the reserved forms.
        expect(bucket).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
        expect(bucket).not.toMatch(/^(xn--|sthree-|amzn-s3-demo-)|(-s3alias|--ol-s3|--x-s3|--table-s3)$/);
        expect(queue).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
      }),
    );
  });

  it('keep the name of installs from before scoped prefixes', () => {
    expect(sandboxResourcePrefix('acme-prod', 'legacy')).toBe('install-acme-prod-');
    expect(sandboxResourcePrefix('acme-prod')).toBe('i9-acme-prod-');
    expect(sandboxResourcePrefix('a'.repeat(40))).toMatch(/^i40-a{27}-[0-9a-z]{8}-$/);
  });

  it("render the onboarding kit with the naming in the install's status, the old one when it has none", () => {
    const status: InstallStatus = {
      installId: 'acme-prod',
      orgId: 'acme',
      awsAccountId: account,
      region,
      phase: 'awaiting_role',
      phaseSince: '2026-12-01T00:00:00.000Z',
      steps: {},
      roleSubmissions: 0,
      remindersSent: 0,
      onboarding: {
        externalId: 'e'.repeat(48),
        vendorPrincipalArn: 'arn:aws:iam::123456789012:role/v',
        roleTemplateUrl: 'https://t.example/role-template.json',
      },
    };
    const sandboxBucketGrants = (shown: InstallStatus) =>
      artifactsOf(shown, new Uint8Array(32))
        .provisionPolicy.Statement.flatMap((statement) => statement.Resource ?? [])
        .filter((resource) => resource.startsWith('arn:aws:s3:::') && resource.endsWith('*'));
    expect(sandboxBucketGrants(status)).toEqual(['arn:aws:s3:::install-acme-prod-*']);
    expect(sandboxBucketGrants({ ...status, sandboxNaming: 'scoped' })).toEqual(['arn:aws:s3:::i9-acme-prod-*']);
  });
});
