import { costReportFolders } from './cost-report-names';
import { includesDataExport, includesLegacyReport } from './data-export';
import { matchesIamWildcard, WildcardBudgetExceeded, type WildcardBudget } from './iam-wildcard';
import { expectedRunnerIdentity, type InstallResourceNames } from './install-names';
import { asArray, type PolicyDocument, type PolicyStatement } from './policy-document';

/** What the orchestrator does in the customer account, one entry per action and resource it needs. */
export interface RequiredPermission {
  purpose: PermissionPurpose;
  action: string;
  resource: string;
}

export type PermissionPurpose = 'inspect_role' | 'sandbox' | 'cost_report' | 'teardown';

/** The CUR API exists only in us-east-1, whatever the install's home region. */
export const curApiRegion = 'us-east-1';

function grant(purpose: PermissionPurpose, actions: string[], resource: string): RequiredPermission[] {
  return actions.map((action) => ({ purpose, action, resource }));
}

/** Everything provisioning needs; the provision policy is rendered from this list and the preflight checks it. */
export function provisionPermissions(names: InstallResourceNames): RequiredPermission[] {
  const { partition: p, accountId: account, region } = names;
  const stack = `arn:${p}:cloudformation:${region}:${account}:stack/${names.stackName}/*`;
  const sandboxBuckets = `arn:${p}:s3:::${names.sandboxResourcePrefix}*`;
  const sandboxQueues = `arn:${p}:sqs:${region}:${account}:${names.sandboxResourcePrefix}*`;
  const curBucket = `arn:${p}:s3:::${names.curBucket}`;
  const reportDefinitions = `arn:${p}:cur:${curApiRegion}:${account}:definition/*`;
  const dataExports = `arn:${p}:bcm-data-exports:${curApiRegion}:${account}:export/*`;
  return [
    ...grant(
      'inspect_role',
      ['iam:GetRole', 'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies'],
      `arn:${p}:iam::${account}:role/*`,
    ),
    ...grant('inspect_role', ['iam:GetPolicy', 'iam:GetPolicyVersion'], `arn:${p}:iam::*:policy/*`),
    ...grant(
      'sandbox',
      [
        'cloudformation:CreateStack',
        'cloudformation:UpdateStack',
        'cloudformation:DescribeStacks',
        'cloudformation:DescribeStackEvents',
        // The approval gate shows the customer CloudFormation's own change set before anything is created.
        'cloudformation:CreateChangeSet',
        'cloudformation:DescribeChangeSet',
        'cloudformation:ExecuteChangeSet',
      ],
      stack,
    ),
    ...grant('sandbox', ['s3:CreateBucket', 's3:PutBucketTagging', 's3:GetBucketLocation'], sandboxBuckets),
    ...grant(
      'sandbox',
      ['sqs:CreateQueue', 'sqs:GetQueueAttributes', 'sqs:SetQueueAttributes', 'sqs:TagQueue'],
      sandboxQueues,
    ),
    // The runner's role, by its exact name: a wildcard on the legacy prefix would also cover the install's own role.
    ...grant('sandbox', ['iam:CreateRole', 'iam:TagRole'], expectedRunnerIdentity(names)),
    ...grant(
      'cost_report',
      [
        's3:CreateBucket',
        's3:ListBucket',
        's3:GetBucketTagging',
        's3:PutBucketTagging',
        's3:GetBucketPolicy',
        's3:PutBucketPolicy',
        's3:GetBucketLocation',
      ],
      curBucket,
    ),
    ...(includesLegacyReport(names.costReportKind)
      ? [
          ...grant('cost_report', ['cur:PutReportDefinition', 'cur:ModifyReportDefinition'], reportDefinitions),
          ...grant('cost_report', ['cur:DescribeReportDefinitions'], '*'),
        ]
      : []),
    ...(includesDataExport(names.costReportKind)
      ? [
          ...grant(
            'cost_report',
            ['bcm-data-exports:CreateExport', 'bcm-data-exports:UpdateExport', 'bcm-data-exports:GetExport'],
            dataExports,
          ),
          ...grant(
            'cost_report',
            ['bcm-data-exports:CreateExport', 'bcm-data-exports:UpdateExport'],
            `arn:${p}:bcm-data-exports:${curApiRegion}:${account}:table/COST_AND_USAGE_REPORT`,
          ),
          ...grant('cost_report', ['bcm-data-exports:ListExports'], '*'),
        ]
      : []),
  ];
}

/** Everything deprovisioning needs, kept in its own policy so a customer can grant teardown separately. */
export function deprovisionPermissions(names: InstallResourceNames): RequiredPermission[] {
  const { partition: p, accountId: account, region } = names;
  return [
    ...grant(
      'teardown',
      ['cloudformation:DeleteStack', 'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents'],
      `arn:${p}:cloudformation:${region}:${account}:stack/${names.stackName}/*`,
    ),
    ...grant('teardown', ['s3:DeleteBucket', 's3:ListBucket'], `arn:${p}:s3:::${names.sandboxResourcePrefix}*`),
    ...grant('teardown', ['sqs:DeleteQueue'], `arn:${p}:sqs:${region}:${account}:${names.sandboxResourcePrefix}*`),
    ...grant(
      'teardown',
      ['iam:DeleteRole', 'iam:GetRole', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies'],
      expectedRunnerIdentity(names),
    ),
    ...(includesLegacyReport(names.costReportKind)
      ? grant('teardown', ['cur:DeleteReportDefinition'], `arn:${p}:cur:${curApiRegion}:${account}:definition/*`)
      : []),
    ...(includesDataExport(names.costReportKind)
      ? grant(
          'teardown',
          ['bcm-data-exports:DeleteExport', 'bcm-data-exports:GetExport'],
          `arn:${p}:bcm-data-exports:${curApiRegion}:${account}:export/*`,
        )
      : []),
    ...grant(
      'teardown',
      ['s3:ListBucket', 's3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:DeleteBucket'],
      `arn:${p}:s3:::${names.curBucket}`,
    ),
    // Only the reports' own folders: the prefix may be shared with the customer's own objects.
    ...costReportFolders({
      prefix: names.curPrefix,
      kind: names.costReportKind,
      reportName: names.curReportName,
      exportName: names.dataExportName,
    }).flatMap((folder) => grant('teardown', ['s3:DeleteObject'], `arn:${p}:s3:::${names.curBucket}/${folder}*`)),
  ];
}

const statementIds: Record<PermissionPurpose, string> = {
  inspect_role: 'InspectOwnRole',
  sandbox: 'ManageSandbox',
  cost_report: 'ConfigureCostReport',
  teardown: 'Teardown',
};

/** One statement per purpose and resource, in a stable order, so the rendered policy diffs cleanly. */
export function renderPermissionPolicy(permissions: RequiredPermission[]): PolicyDocument {
  const groups = new Map<string, { purpose: PermissionPurpose; resource: string; actions: string[] }>();
  for (const permission of permissions) {
    const key = `${permission.purpose}|${permission.resource}`;
    const group = groups.get(key) ?? { purpose: permission.purpose, resource: permission.resource, actions: [] };
    if (!group.actions.includes(permission.action)) group.actions.push(permission.action);
    groups.set(key, group);
  }
  const counters = new Map<PermissionPurpose, number>();
  const statements: PolicyStatement[] = [...groups.values()].map((group) => {
    const index = (counters.get(group.purpose) ?? 0) + 1;
    counters.set(group.purpose, index);
    return {
      Sid: `${statementIds[group.purpose]}${index}`,
      Effect: 'Allow',
      Action: group.actions,
      Resource: group.resource,
    };
  });
  return { Version: '2012-10-17', Statement: statements };
}

/** What one match costs besides its characters (a call, a split, a copy), in the budget's units. */
const matchCallCost = 64;

function statementCovers(statement: PolicyStatement, permission: RequiredPermission, budget: WildcardBudget): boolean {
  // Each match also copies and splits its pattern and value (lower-casing them for actions): that work is charged
  // too, so a policy of many short patterns spends the budget as fast as one of long ones.
  const matches = (patterns: string[], value: string, caseInsensitive: boolean) =>
    patterns.some((pattern) => {
      budget.remaining -= matchCallCost + pattern.length + value.length;
      if (budget.remaining < 0) throw new WildcardBudgetExceeded();
      return matchesIamWildcard(pattern, value, { caseInsensitive, budget });
    });
  // Action names are case-insensitive in IAM; resource ARNs are not.
  const actionMatches =
    statement.Action !== undefined
      ? matches(asArray(statement.Action), permission.action, true)
      : !matches(asArray(statement.NotAction), permission.action, true);
  if (!actionMatches) return false;
  if (statement.Resource !== undefined) {
    // A required resource that is itself a pattern is covered only by a pattern at least as broad.
    const resources = asArray(statement.Resource);
    return resources.includes(permission.resource) || matches(resources, permission.resource, false);
  }
  return !matches(asArray(statement.NotResource), permission.resource, false);
}

export interface PermissionReport {
  missing: RequiredPermission[];
  /** Allowed only under a Condition, which cannot be judged without the request: worth a warning, not a block. */
  conditional: RequiredPermission[];
}

/**
 * The most IAM stores for one role, in characters without white space (which IAM does not count either): inline
 * policies 10,240 together, each customer managed policy 6,144, at most 20 managed policies attached. AWS managed
 * policies (`arn:aws:iam::aws:policy/…`) are not held to 6,144 (ReadOnlyAccess is far longer); they are only
 * refused past an absurd 131,072.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length
 */
export const rolePolicyLimits = {
  inlineCharacters: 10_240,
  managedPolicyCharacters: 6_144,
  awsManagedPolicyCharacters: 131_072,
  managedPolicies: 20,
};

/** Characters of a policy document as IAM counts them against its limits. */
export function policyCharacters(document: string): number {
  return document.replace(/\s/g, '').length;
}

/**
 * Why a role's policies are too large to be evaluated, or undefined. IAM cannot store larger ones, so this only
 * refuses input that did not come from IAM as it is, before any of it is parsed or matched.
 */
export function rolePolicySizeProblem(policies: {
  inline: string[];
  managed: string[];
  awsManaged?: string[];
}): string | undefined {
  const awsManaged = policies.awsManaged ?? [];
  const inline = policies.inline.reduce((sum, document) => sum + policyCharacters(document), 0);
  if (inline > rolePolicyLimits.inlineCharacters) {
    return `The role's inline policies have ${inline} characters; IAM allows ${rolePolicyLimits.inlineCharacters}.`;
  }
  const attached = policies.managed.length + awsManaged.length;
  if (attached > rolePolicyLimits.managedPolicies) {
    return `The role has ${attached} managed policies attached; IAM allows ${rolePolicyLimits.managedPolicies}.`;
  }
  const largest = Math.max(0, ...policies.managed.map(policyCharacters));
  if (largest > rolePolicyLimits.managedPolicyCharacters) {
    return `A managed policy of the role has ${largest} characters; IAM allows ${rolePolicyLimits.managedPolicyCharacters}.`;
  }
  const largestAws = Math.max(0, ...awsManaged.map(policyCharacters));
  if (largestAws > rolePolicyLimits.awsManagedPolicyCharacters) {
    return `An AWS managed policy of the role has ${largestAws} characters; more than ${rolePolicyLimits.awsManagedPolicyCharacters} cannot be evaluated.`;
  }
  return undefined;
}

/**
 * Work one evaluation may spend matching wildcards: matchesIamWildcard's character comparisons, plus for every match
 * its pattern's and value's length and a fixed cost per call (the copying and splitting it does). The largest policy
 * set IAM lets a role have (10,240 inline characters and 20 customer managed policies of 6,144) against the longest
 * names an install can have spends about 17 million written the way people write policies, and under 30 million with
 * every ARN full of `*` (`arn:aws:*******Z`). Three AWS managed policies the size of ReadOnlyAccess (100 KB each)
 * spend about 87 million. Spending all of it takes 0.6 to 1 s on this project's 2-core machine under load.
 */
export const permissionEvaluationBudget = 100_000_000;

/**
 * Evaluates identity policies the way IAM does for one principal: an explicit Deny wins, then any Allow.
 * Conditions are not evaluated; a conditional Allow is reported as such, a conditional Deny as missing.
 * Throws WildcardBudgetExceeded when the policies need more matching than `budget` allows.
 */
export function evaluatePermissions(
  policies: PolicyDocument[],
  required: RequiredPermission[],
  budget: WildcardBudget = { remaining: permissionEvaluationBudget },
): PermissionReport {
  const statements = policies.flatMap((policy) => asArray(policy.Statement));
  const report: PermissionReport = { missing: [], conditional: [] };
  for (const permission of required) {
    const applicable = statements.filter((statement) => statementCovers(statement, permission, budget));
    if (applicable.some((statement) => statement.Effect === 'Deny')) {
      report.missing.push(permission);
      continue;
    }
    const allows = applicable.filter((statement) => statement.Effect === 'Allow');
    if (allows.some((statement) => statement.Condition === undefined)) continue;
    if (allows.length > 0) report.conditional.push(permission);
    else report.missing.push(permission);
  }
  return report;
}
