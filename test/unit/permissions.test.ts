import { renderOnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { installResourceNames, installRoleArn } from '../../domain/install-names';
import { WildcardBudgetExceeded } from '../../domain/iam-wildcard';
import {
  evaluatePermissions,
  policyCharacters,
  provisionPermissions,
  deprovisionPermissions,
  rolePolicyLimits,
  rolePolicySizeProblem,
  renderPermissionPolicy,
} from '../../domain/permissions';
import { asArray, type PolicyDocument, type PolicyStatement } from '../../domain/policy-document';

const install = { installId: 'acme-1', awsAccountId: '111111111111', region: 'eu-west-1' };
const names = installResourceNames(install);
const artifacts = renderOnboardingArtifacts({
  install,
  externalId: 'e'.repeat(48),
  vendorPrincipalArn: 'arn:aws:iam::123456789012:role/vendor',
  roleTemplateUrl: 'https://templates.example/acme-1/role-template.json',
});
const kitRoleArn = installRoleArn(names, artifacts.roleName);
const required = [...provisionPermissions(names, kitRoleArn), ...deprovisionPermissions(names)];

describe('permission preflight', () => {
  it('finds nothing missing in the policies the onboarding artifacts render', () => {
    expect(evaluatePermissions([artifacts.provisionPolicy, artifacts.deprovisionPolicy], required)).toEqual({
      missing: [],
      conditional: [],
    });
  });

  it('names every teardown action when only the provision policy is attached', () => {
    const report = evaluatePermissions([artifacts.provisionPolicy], required);
    expect(report.missing.map((permission) => permission.action)).toEqual(
      expect.arrayContaining(['cloudformation:DeleteStack', 'cur:DeleteReportDefinition', 's3:DeleteBucket']),
    );
    expect(report.missing.every((permission) => permission.purpose === 'teardown')).toBe(true);
  });

  it('lets an explicit Deny override an Allow', () => {
    const deny: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 'cloudformation:Create*', Resource: '*' }],
    };
    const report = evaluatePermissions([artifacts.provisionPolicy, artifacts.deprovisionPolicy, deny], required);
    expect(report.missing.map((permission) => permission.action)).toEqual([
      'cloudformation:CreateStack',
      'cloudformation:CreateChangeSet',
    ]);
  });

  it('accepts wildcards, case-insensitive actions and NotAction the way IAM does', () => {
    const admin: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['CloudFormation:*', 's3:*', 'sqs:*', 'cur:*'], Resource: '*' },
        { Effect: 'Allow', NotAction: ['iam:CreateUser', 'iam:Put*'], Resource: '*' },
      ],
    };
    expect(evaluatePermissions([admin], required).missing).toEqual([]);
  });

  it('reports an Allow that holds only under a Condition as conditional, not granted', () => {
    const conditional: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      ],
    };
    const report = evaluatePermissions([conditional], required);
    expect(report.missing).toEqual([]);
    expect(report.conditional).toHaveLength(required.length);
  });

  it('does not take a grant on another stack for a grant on this one', () => {
    const otherStack: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'cloudformation:*', Resource: 'arn:aws:cloudformation:*:*:stack/other/*' },
      ],
    };
    const report = evaluatePermissions([otherStack], provisionPermissions(names));
    expect(report.missing.map((permission) => permission.action)).toContain('cloudformation:CreateStack');
  });
});

describe('least privilege', () => {
  const inspectActions = ['iam:GetRole', 'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies'];
  const statements = [...artifacts.provisionPolicy.Statement, ...artifacts.deprovisionPolicy.Statement];

  it("grants reading a role's own policies on the kit's role alone (and the runner role it manages), never on every role", () => {
    const inspecting = statements.filter((statement) =>
      asArray(statement.Action).some((action) => inspectActions.includes(action)),
    );
    const runnerRole = `arn:aws:iam::111111111111:role/${names.sandboxResourcePrefix}runner`;
    expect(inspecting).toEqual([
      expect.objectContaining({
        Action: inspectActions,
        Resource: [
          'arn:aws:iam::111111111111:role/install-acme-1-access',
          'arn:aws:iam::111111111111:role/*/install-acme-1-access',
        ],
      }),
      // Version 2: the sandbox's runner role, created and deleted with the stack, by its exact name.
      expect.objectContaining({ Resource: runnerRole }),
    ]);
    expect(JSON.stringify(statements)).not.toContain(':role/*"');
  });

  const missingFor = (pasted: string) =>
    evaluatePermissions(
      [artifacts.provisionPolicy, artifacts.deprovisionPolicy],
      [...provisionPermissions(names, pasted), ...deprovisionPermissions(names)],
    ).missing;

  it('lets the kit role read itself under any IAM path the customer creates it in', () => {
    expect(missingFor('arn:aws:iam::111111111111:role/platform/vendors/install-acme-1-access')).toEqual([]);
  });

  it('reports a role of another name, holding the kit policies, as unable to read itself, by its own ARN', () => {
    for (const pasted of [
      'arn:aws:iam::111111111111:role/team/my-own-name',
      'arn:aws:iam::111111111111:role/x/evil-install-acme-1-access',
      'arn:aws:iam::111111111111:role/install-acme-1-access-2',
    ]) {
      expect(missingFor(pasted)).toEqual(
        inspectActions.map((action) => ({ purpose: 'inspect_role', action, resource: pasted })),
      );
    }
  });

  it('still accepts a role created from an earlier kit, which granted the inspection on role/*', () => {
    const earlier: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: inspectActions, Resource: 'arn:aws:iam::111111111111:role/*' }],
    };
    const inspect = required.filter(
      (permission) =>
        permission.purpose === 'inspect_role' &&
        permission.action !== 'iam:GetPolicy' &&
        permission.action !== 'iam:GetPolicyVersion',
    );
    expect(evaluatePermissions([earlier], inspect).missing).toEqual([]);
  });

  it('grants UpdateExport in one statement naming the export and the table it reads, CreateExport on the table', () => {
    const cur2 = installResourceNames({ ...install, cur: { kind: 'cur2' } });
    const policy = renderPermissionPolicy(provisionPermissions(cur2, kitRoleArn));
    const table = 'arn:aws:bcm-data-exports:us-east-1:111111111111:table/COST_AND_USAGE_REPORT';
    const exports = 'arn:aws:bcm-data-exports:us-east-1:111111111111:export/*';
    const granting = (action: string) =>
      policy.Statement.filter((statement) => asArray(statement.Action).includes(action)).map((s) => s.Resource);
    expect(granting('bcm-data-exports:UpdateExport')).toEqual([[exports, table]]);
    expect(granting('bcm-data-exports:CreateExport')).toEqual([table]);
    expect(granting('bcm-data-exports:GetExport')).toEqual([exports]);
  });
});

/** As many statements from `statement(i)` as fit in `characters` the way IAM counts them. */
function policyOfSize(characters: number, statement: (index: number) => PolicyStatement): PolicyDocument {
  const document: PolicyDocument = { Version: '2012-10-17', Statement: [] };
  for (let index = 0; ; index += 1) {
    document.Statement.push(statement(index));
    if (policyCharacters(JSON.stringify(document)) > characters) {
      document.Statement.pop();
      return document;
    }
  }
}

describe('customer policies built to be slow', () => {
  // The longest names an install can have: every required ARN is as long as it gets.
  const longest = installResourceNames({
    installId: 'a'.repeat(40),
    awsAccountId: '111111111111',
    region: 'ap-southeast-2',
    cur: { prefix: 'p'.repeat(200), reportName: 'r'.repeat(256), kind: 'both', exportName: 'e'.repeat(128) },
  });
  const everything = [...provisionPermissions(longest), ...deprovisionPermissions(longest)];

  it('evaluates the largest inline policy IAM allows, full of wildcards, in well under a second', () => {
    const document = policyOfSize(rolePolicyLimits.inlineCharacters, (index) => ({
      Effect: 'Allow',
      Action: ['S3:*', 'cloudformation:Describe*', 'sqs:*Queue*'],
      // A backtracking matcher needed over a minute for one ARN with seven of these stars.
      Resource: [`arn:aws:*******${'*'.repeat(index % 20)}Z`, `arn:aws:s3:::*${index}/*/*/*`],
    }));
    expect(policyCharacters(JSON.stringify(document))).toBeGreaterThan(rolePolicyLimits.inlineCharacters - 200);
    expect(document.Statement.length).toBeGreaterThan(50);
    const started = performance.now();
    const report = evaluatePermissions([document], everything);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(report.missing).toEqual(everything);
  });

  it('still grants what a pathological pattern covers, case-sensitively for ARNs and not for actions', () => {
    const [bucketPolicy] = deprovisionPermissions(longest).filter(
      (permission) => permission.action === 's3:DeleteObject',
    );
    const ending = bucketPolicy!.resource.slice(-1);
    const grants = (resource: string): PolicyDocument => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'S3:DELETEOBJECT', Resource: resource }],
    });
    expect(evaluatePermissions([grants(`arn:aws:*******${ending}`)], [bucketPolicy!]).missing).toEqual([]);
    expect(evaluatePermissions([grants('arn:aws:*******Z')], [bucketPolicy!]).missing).toEqual([bucketPolicy]);
    expect(evaluatePermissions([grants('ARN:AWS:*')], [bucketPolicy!]).missing).toEqual([bucketPolicy]);
  });

  it('stops with WildcardBudgetExceeded once a policy needs more matching than the budget, before any verdict', () => {
    // Within IAM's sizes, but 24,000 patterns that each match nothing, tried against every required ARN.
    const slow = policyOfSize(rolePolicyLimits.managedPolicyCharacters, () => ({
      Effect: 'Allow',
      Action: '*',
      Resource: Array<string>(100).fill('*Q'),
    }));
    expect(() => evaluatePermissions(Array(20).fill(slow), everything)).toThrow(WildcardBudgetExceeded);
    expect(() => evaluatePermissions([slow], everything, { remaining: 1_000 })).toThrow(WildcardBudgetExceeded);
  });

  it('refuses policy sets larger than IAM lets a role have, counting characters as IAM does (no white space)', () => {
    const inline = 'x'.repeat(rolePolicyLimits.inlineCharacters);
    expect(rolePolicySizeProblem({ inline: [inline, ' \n '], managed: [] })).toBeUndefined();
    expect(rolePolicySizeProblem({ inline: [inline, '{'], managed: [] })).toMatch(/inline policies have 10241/);
    const managed = 'y'.repeat(rolePolicyLimits.managedPolicyCharacters);
    expect(rolePolicySizeProblem({ inline: [], managed: Array(20).fill(managed) })).toBeUndefined();
    expect(rolePolicySizeProblem({ inline: [], managed: Array(21).fill('{}') })).toMatch(/21 managed policies/);
    expect(rolePolicySizeProblem({ inline: [], managed: ['{}', `${managed}}`] })).toMatch(/6145 characters/);
    // AWS's own managed policies (ReadOnlyAccess) are longer than a customer's may be.
    const readOnly = 'z'.repeat(60_000);
    expect(rolePolicySizeProblem({ inline: [], managed: [], awsManaged: [readOnly] })).toBeUndefined();
    expect(rolePolicySizeProblem({ inline: [], managed: Array(20).fill('{}'), awsManaged: ['{}'] })).toMatch(/21/);
    expect(rolePolicySizeProblem({ inline: [], managed: [], awsManaged: ['z'.repeat(131_073)] })).toMatch(/131073/);
  });
});

describe('onboarding artifacts', () => {
  it('trusts only the vendor principal and only with the External ID', () => {
    expect(artifacts.trustPolicy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123456789012:role/vendor' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'e'.repeat(48) } },
      }),
    ]);
  });

  it('renders a role template whose trust policy takes the External ID as a parameter', () => {
    const role = (artifacts.roleTemplate.Resources as Record<string, { Properties: Record<string, unknown> }>)
      .InstallAccessRole!;
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('{"Ref":"ExternalId"}');
    expect(JSON.stringify(artifacts.roleTemplate)).not.toContain('e'.repeat(48));
  });

  it('links the CloudFormation console quick-create page with the template and External ID', () => {
    const url = new URL(artifacts.quickCreateUrl);
    const params = new URLSearchParams(url.hash.split('?')[1]);
    expect(url.host).toBe('console.aws.amazon.com');
    expect(url.searchParams.get('region')).toBe('eu-west-1');
    expect(params.get('templateURL')).toBe('https://templates.example/acme-1/role-template.json');
    expect(params.get('param_ExternalId')).toBe('e'.repeat(48));
  });
});
