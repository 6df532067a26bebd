import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { locateParliamentPython, PARLIAMENT_VERSION } from '../../devstack/tools';
import { renderedPolicies, type RenderedPolicy } from '../support/rendered-policies';

/**
 * Every policy the project renders, linted by parliament (duo-labs' IAM linter, from PyPI, in its own pinned venv).
 * A finding passes only when the allow-list below names it with its reason (the README lists the same); unknown
 * actions, prefixes and resource-type mismatches never pass.
 */

interface Finding {
  name: string;
  issue: string;
  severity: string;
  title: string;
  detail: string;
  location: Record<string, string>;
}

/** Findings no allow-list entry may accept: the policy would grant something that does not exist or cannot apply. */
const neverAllowed = new Set([
  'UNKNOWN_ACTION',
  'UNKNOWN_PREFIX',
  'RESOURCE_MISMATCH',
  'INVALID_ARN',
  'MALFORMED_JSON',
  'LINTER_ERROR',
]);

/** Actions that change a resource's own policy, each only on the install's own bucket or queues. */
const policyWritingActions = new Set([
  's3:putbucketpolicy',
  's3:deletebucketpolicy',
  'sqs:createqueue',
  'sqs:setqueueattributes',
  // Version 2: the sandbox's runner role, created and deleted with the stack, on that role's exact ARN.
  'iam:createrole',
  'iam:deleterole',
]);

/** The actions a PERMISSIONS_MANAGEMENT_ACTIONS finding lists, as parliament prints them: "['s3:a', 's3:b']". */
function listedActions(finding: Finding): string[] {
  return [...(finding.location.actions ?? '').matchAll(/'([^']+)'/g)].map((match) => match[1]!);
}

export interface AllowedFinding {
  issue: string;
  reason: string;
  matches: (finding: Finding, policy: RenderedPolicy) => boolean;
}

/** An IAM OIDC provider's ARN, and its condition keys as IAM names them: the issuer's host and path, then `:aud`/`:sub`. */
const oidcProviderArn =
  /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:oidc-provider\/[a-z0-9.-]{1,253}(?:\/[\w.~-]{1,64}){0,8}$/;
const oidcConditionKey =
  /^Unknown condition [a-z0-9.-]{1,253}(?:\/[\w.~-]{1,64}){0,8}:(?:aud|sub) for action sts:AssumeRoleWithWebIdentity$/;

/** Findings that remain by design, each with its reason; README "Least privilege and the IAM policy lint" lists them too. */
export const allowedFindings: AllowedFinding[] = [
  {
    issue: 'MALFORMED',
    reason:
      'A role trust policy has no Resource: the role it is attached to is the resource, and IAM refuses a trust ' +
      'policy with one. Its actions and condition keys are linted in a copy with the role as Resource.',
    matches: (finding, policy) =>
      policy.kind === 'trust' && finding.detail === 'Statement contains neither Resource nor NotResource',
  },
  {
    issue: 'CREDENTIALS_EXPOSURE',
    reason:
      'sts:AssumeRole returns credentials: that is what a trust policy grants, to the one principal it names. ' +
      'Only the lint copy of a trust policy (as an identity policy) is flagged.',
    matches: (_finding, policy) => policy.kind === 'trust-as-resource',
  },
  {
    issue: 'UNKNOWN_FEDERATION_SOURCE',
    reason:
      "An OIDC trust policy's principal is the vendor's own IAM OIDC provider; parliament knows only a few public " +
      'providers (Cognito, Google, Facebook, Amazon) by name.',
    matches: (finding, policy) => policy.kind.startsWith('trust') && oidcProviderArn.test(finding.detail),
  },
  {
    issue: 'UNKNOWN_CONDITION_FOR_ACTION',
    reason:
      "`<issuer host/path>:aud` and `:sub` are IAM's documented keys for any OIDC provider " +
      '(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html, OIDC federation); ' +
      'parliament knows them only for the providers it names. Any other unknown key fails.',
    matches: (finding, policy) => policy.kind.startsWith('trust') && oidcConditionKey.test(finding.detail),
  },
  {
    issue: 'PERMISSIONS_MANAGEMENT_ACTIONS',
    reason:
      "The role writes the cost report bucket's policy (so AWS billing can deliver; merged with the customer's own " +
      'statements, removed at teardown) and creates the sandbox queues (sqs:CreateQueue and SetQueueAttributes can ' +
      'set a queue policy), and creates and deletes the runner role with the sandbox stack. Each is granted only on ' +
      "the install's own bucket, its sandbox prefix or the runner role's exact ARN.",
    matches: (finding, policy) =>
      policy.kind === 'permissions' && listedActions(finding).every((action) => policyWritingActions.has(action)),
  },
  {
    issue: 'RESOURCE_POLICY_PRIVILEGE_ESCALATION',
    reason:
      'With s3:PutBucketPolicy on the cost report bucket the role could grant itself object access there, which it ' +
      'is not granted directly. Writing that policy is how AWS billing is let in; only that bucket is affected.',
    matches: (finding, policy) =>
      policy.kind === 'permissions' &&
      new RegExp(
        `^Possible resource policy privilege escalation on ${policy.curBucketArn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ` +
          'due to s3:(Put|Get|Delete)Object not being allowed, but does allow s3:PutBucketPolicy$',
      ).test(finding.detail),
  },
];

function lint(policies: Array<Pick<RenderedPolicy, 'name' | 'document'>>): { version: string; findings: Finding[] } {
  const python = locateParliamentPython();
  if (!python) throw new Error('parliament is not installed: run `npm run setup` (scripts/setup.sh installs it).');
  const result = spawnSync(python, [join(__dirname, '..', 'support', 'parliament_lint.py')], {
    input: JSON.stringify(policies),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`parliament_lint.py exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as { version: string; findings: Finding[] };
}

describe('IAM policy lint (parliament)', () => {
  const policies = renderedPolicies();
  const byName = new Map(policies.map((policy) => [policy.name, policy]));

  it('runs the pinned parliament and reports an unknown action and a resource-type mismatch in a broken policy', () => {
    const broken: Pick<RenderedPolicy, 'name' | 'document'> = {
      name: 'broken',
      document: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:GetObjekt', Resource: 'arn:aws:s3:::bucket/*' },
          { Effect: 'Allow', Action: 'iam:GetRole', Resource: 'arn:aws:s3:::bucket' },
        ],
      },
    };
    const { version, findings } = lint([broken]);
    expect(version).toBe(PARLIAMENT_VERSION);
    expect(findings.map((finding) => finding.issue).sort()).toEqual(['RESOURCE_MISMATCH', 'UNKNOWN_ACTION']);
  });

  it("accepts an OIDC trust policy's documented provider keys, and no other unknown condition key", () => {
    const provider = 'arn:aws:iam::123456789012:oidc-provider/vendor.example.com/oidc';
    const trust = (keys: string[]): RenderedPolicy => ({
      name: `oidc ${keys.join(',')}`,
      kind: 'trust-as-resource',
      curBucketArn: 'arn:aws:s3:::unused',
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: provider },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Resource: 'arn:aws:iam::123456789012:role/install-acme-access',
            Condition: { StringEquals: Object.fromEntries(keys.map((key) => [key, 'value'])) },
          },
        ],
      },
    });
    const documented = trust(['vendor.example.com/oidc:aud', 'vendor.example.com/oidc:sub']);
    const other = trust(['vendor.example.com/oidc:email']);
    const unexplainedIn = (policy: RenderedPolicy) =>
      lint([policy]).findings.filter(
        (finding) =>
          !allowedFindings.some((allowed) => allowed.issue === finding.issue && allowed.matches(finding, policy)),
      );
    expect(unexplainedIn(documented)).toEqual([]);
    expect(unexplainedIn(other).map((finding) => finding.issue)).toEqual(['UNKNOWN_CONDITION_FOR_ACTION']);
  });

  it('lints every trust, role, template and bucket policy for every cost report kind and trust mode, and both organization templates', () => {
    const kinds = new Set(policies.map((policy) => policy.kind));
    expect([...kinds].sort()).toEqual(['bucket', 'permissions', 'trust', 'trust-as-resource']);
    for (const kind of ['legacy', 'cur2', 'both']) {
      expect(policies.some((policy) => policy.name.startsWith('provision-policy') && policy.name.endsWith(kind))).toBe(
        true,
      );
    }
    for (const template of ['management', 'member']) {
      expect(policies.filter((policy) => policy.name.startsWith(`organization ${template} `)).length).toBeGreaterThan(
        1,
      );
    }
  });

  it('finds nothing in the rendered policies beyond the allow-listed findings, each with its reason', () => {
    expect(allowedFindings.filter((allowed) => neverAllowed.has(allowed.issue))).toEqual([]);
    const { findings } = lint(policies);
    const unexplained = findings.filter((finding) => {
      const policy = byName.get(finding.name)!;
      return (
        neverAllowed.has(finding.issue) ||
        !allowedFindings.some((allowed) => allowed.issue === finding.issue && allowed.matches(finding, policy))
      );
    });
    expect(unexplained).toEqual([]);
  });
});
