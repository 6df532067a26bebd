import { matchesIamWildcard, WildcardBudgetExceeded, type WildcardBudget } from './iam-wildcard';

/**
 * Who may assume the role, read from its trust policy. The rule: every Allow statement that could grant an assume
 * action names only the vendor principal, exactly, and pins `sts:ExternalId` to this install's External ID alone.
 * Anything else is a finding; a shape this module does not understand is one too (refuse rather than guess).
 *
 * Deny statements only take permissions away, so they never make a policy unsafe; they are ignored rather than
 * trusted to make an unsafe Allow safe. Extra conditions in a statement only narrow it (all must hold), so they are
 * allowed beside the pinning one.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 */

export type TrustPolicyFindingCode =
  /** `Principal: "*"`, `{"AWS": "*"}` or NotPrincipal: any AWS identity that knows the External ID could assume it. */
  | 'trust_policy_allows_anyone'
  /** Another account, an account root (the vendor's included), a role or user other than the vendor, a service. */
  | 'trust_policy_allows_other_principals'
  /** No condition that admits this install's External ID and no other. */
  | 'external_id_not_pinned'
  /** Too large, not JSON, or a shape outside the policy grammar this module evaluates. */
  | 'trust_policy_unverifiable'
  /** The role may not read its own trust policy (iam:GetRole refused): reported by the activity that reads it. */
  | 'trust_policy_unreadable'
  /** OIDC mode: no StringEquals pinning `<issuer>:aud` to sts.amazonaws.com alone. */
  | 'oidc_audience_not_pinned'
  /** OIDC mode: no StringEquals pinning `<issuer>:sub` to this install's subject alone (StringLike is not enough). */
  | 'oidc_subject_not_pinned';

export interface TrustPolicyFinding {
  code: TrustPolicyFindingCode;
  /** The statement's Sid, or its position (`#1` is the first) when it has none. */
  statement: string;
  problem: string;
}

export interface TrustExpectation {
  vendorPrincipalArn: string;
  externalId: string;
  /**
   * OIDC trust mode: the role must trust only our IAM OIDC provider (Principal Federated), with StringEquals on
   * `<conditionPrefix>:aud` (sts.amazonaws.com) and `<conditionPrefix>:sub` (this install's subject); the
   * External ID is then not looked for.
   */
  oidc?: { providerArn: string; conditionPrefix: string; subject: string };
  /**
   * During an External ID rotation only: the other ID of the install (the new one before the switch, the old one
   * after), which the pinning condition may list beside `externalId`. No other value is ever accepted.
   */
  rotatingExternalId?: string;
}

/**
 * AWS caps a role trust policy at 2,048 characters, 8,192 with a quota raise, counted without whitespace; GetRole may
 * return it pretty-printed. Anything larger than this is not a policy IAM accepted, and is not evaluated.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export const maxTrustPolicyChars = 32_768;

/** Comparison work one evaluation may spend on wildcard actions (see iam-wildcard.ts). */
const matchingBudget = 200_000;

/** The actions by which a principal becomes the role; the session-tagging and source-identity ones need one of them. */
export const assumeActions = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'] as const;

const statementKeys = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const principalKinds = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);

/** Operators that pin a key to the listed values when the request carries it, and fail when it does not. */
const pinningOperators = new Set(['StringEquals', 'StringLike']);

/** https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (ExternalId). */
const externalIdAlphabet = /^[\w+=,.@:/-]{2,1224}$/;

class Unverifiable extends Error {}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function strings(value: Json | undefined, what: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((item): item is string => typeof item === 'string')) {
    throw new Unverifiable(`${what} is not a string or a list of strings`);
  }
  return list;
}

/**
 * Evaluates a trust policy document (the JSON text, already URL-decoded) against what this install requires.
 * An empty list means the policy admits the vendor principal with this External ID and nobody else.
 *
 * @example
 * checkTrustPolicy(JSON.stringify(renderTrustPolicy(vendorArn, externalId)), { vendorPrincipalArn: vendorArn, externalId })
 * // → []
 */
export function checkTrustPolicy(document: string, expected: TrustExpectation): TrustPolicyFinding[] {
  if (document.length > maxTrustPolicyChars) {
    return [
      {
        code: 'trust_policy_unverifiable',
        statement: '',
        problem: `the trust policy is ${document.length} characters, more than IAM allows (${maxTrustPolicyChars} here)`,
      },
    ];
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(document) as Json;
  } catch {
    return [{ code: 'trust_policy_unverifiable', statement: '', problem: 'the trust policy is not valid JSON' }];
  }
  const duplicate = firstDuplicateKey(document);
  if (duplicate !== undefined) {
    // JSON.parse keeps the last of two equal keys; nothing says IAM reads the same one, so neither is trusted.
    return [
      { code: 'trust_policy_unverifiable', statement: '', problem: `the key ${duplicate} appears twice in one object` },
    ];
  }
  if (!isObject(parsed) || parsed.Statement === undefined) {
    return [{ code: 'trust_policy_unverifiable', statement: '', problem: 'the trust policy has no Statement' }];
  }
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  const budget: WildcardBudget = { remaining: matchingBudget };
  const findings: TrustPolicyFinding[] = [];
  statements.forEach((statement, index) => {
    const label =
      isObject(statement) && typeof statement.Sid === 'string' && statement.Sid ? statement.Sid : `#${index + 1}`;
    try {
      findings.push(...checkStatement(statement, expected, budget).map((found) => ({ ...found, statement: label })));
    } catch (error) {
      if (!(error instanceof Unverifiable || error instanceof WildcardBudgetExceeded)) throw error;
      findings.push({ code: 'trust_policy_unverifiable', statement: label, problem: error.message });
    }
  });
  return findings;
}

function checkStatement(
  statement: Json,
  expected: TrustExpectation,
  budget: WildcardBudget,
): Array<Omit<TrustPolicyFinding, 'statement'>> {
  if (!isObject(statement)) throw new Unverifiable('the statement is not an object');
  const unknown = Object.keys(statement).filter((key) => !statementKeys.has(key));
  if (unknown.length > 0) throw new Unverifiable(`the statement has unknown elements: ${unknown.join(', ')}`);
  if (statement.Effect === 'Deny') return [];
  if (statement.Effect !== 'Allow') throw new Unverifiable('Effect is neither Allow nor Deny');
  if (!grantsAssume(statement, budget)) return [];

  const findings: Array<Omit<TrustPolicyFinding, 'statement'>> = [];
  findings.push(...checkPrincipal(statement, expected));
  if (expected.oidc) return [...findings, ...checkOidcPins(statement.Condition, expected.oidc)];
  if (!pinsExternalId(statement.Condition, expected.externalId, expected.rotatingExternalId)) {
    findings.push({
      code: 'external_id_not_pinned',
      problem:
        'it allows assuming the role without a StringEquals condition pinning sts:ExternalId to this install’s External ID alone',
    });
  }
  return findings;
}

function grantsAssume(statement: { [key: string]: Json }, budget: WildcardBudget): boolean {
  const matches = (patterns: string[], action: string) =>
    patterns.some((pattern) => matchesIamWildcard(pattern, action, { caseInsensitive: true, budget }));
  if (statement.Action !== undefined && statement.NotAction !== undefined) {
    throw new Unverifiable('the statement has both Action and NotAction');
  }
  if (statement.Action !== undefined) {
    const actions = strings(statement.Action, 'Action');
    return assumeActions.some((action) => matches(actions, action));
  }
  if (statement.NotAction !== undefined) {
    const excluded = strings(statement.NotAction, 'NotAction');
    return assumeActions.some((action) => !matches(excluded, action));
  }
  throw new Unverifiable('the statement has neither Action nor NotAction');
}

function checkPrincipal(
  statement: { [key: string]: Json },
  expected: TrustExpectation,
): Array<Omit<TrustPolicyFinding, 'statement'>> {
  if (statement.NotPrincipal !== undefined) {
    return [
      { code: 'trust_policy_allows_anyone', problem: 'NotPrincipal in an Allow admits everyone it does not name' },
    ];
  }
  const principal = statement.Principal;
  if (principal === '*') return [{ code: 'trust_policy_allows_anyone', problem: 'Principal is "*"' }];
  if (!isObject(principal)) throw new Unverifiable('Principal is neither "*" nor an object');
  if (Object.keys(principal).length === 0) throw new Unverifiable('Principal names nobody');
  const findings: Array<Omit<TrustPolicyFinding, 'statement'>> = [];
  const others: string[] = [];
  for (const [kind, value] of Object.entries(principal)) {
    if (!principalKinds.has(kind)) throw new Unverifiable(`Principal has an unknown kind ${kind}`);
    for (const name of strings(value, `Principal.${kind}`)) {
      if (kind === 'AWS' && name === '*') {
        findings.push({ code: 'trust_policy_allows_anyone', problem: 'Principal names {"AWS": "*"}' });
      } else if (
        expected.oidc
          ? kind !== 'Federated' || name !== expected.oidc.providerArn
          : kind !== 'AWS' || name !== expected.vendorPrincipalArn
      ) {
        others.push(`${kind} ${name}`);
      }
    }
  }
  if (others.length > 0) {
    findings.push({ code: 'trust_policy_allows_other_principals', problem: `it also admits ${others.join(', ')}` });
  }
  return findings;
}

/**
 * Whether the statement applies only to requests carrying this install's External ID. Condition operators and keys
 * in one statement are ANDed, so one pinning entry is enough: StringEquals (or StringLike without wildcard
 * characters) on sts:ExternalId, whose only value is the External ID. Keys compare case-insensitively; operators do
 * not. Set operators (ForAnyValue, ForAllValues), IfExists variants, IgnoreCase and Null never pin.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
function pinsExternalId(condition: Json | undefined, externalId: string, rotatingExternalId?: string): boolean {
  // Inside the External ID alphabet there are no wildcards (* ?) or policy variables (${…}): the value is literal.
  if (condition === undefined || !externalIdAlphabet.test(externalId)) return false;
  if (!isObject(condition)) throw new Unverifiable('Condition is not an object');
  let pinned = false;
  for (const [operator, pairs] of Object.entries(condition)) {
    if (!isObject(pairs)) throw new Unverifiable(`Condition ${operator} is not an object`);
    if (!pinningOperators.has(operator)) continue;
    for (const [key, value] of Object.entries(pairs)) {
      if (key.toLowerCase() !== 'sts:externalid') continue;
      const values = strings(value, `Condition ${operator} ${key}`);
      if (values.length === 1 && values[0] === externalId) pinned = true;
      else if (rotatingExternalId !== undefined && pinsDuringRotation(values, [externalId, rotatingExternalId])) {
        pinned = true;
      }
    }
  }
  return pinned;
}

/**
 * OIDC mode: the statement must pin the token's audience and subject, each with StringEquals and one value. A
 * StringLike on sub is a finding even without wildcards: the next edit of the pattern would admit other installs.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
 */
function checkOidcPins(
  condition: Json | undefined,
  oidc: NonNullable<TrustExpectation['oidc']>,
): Array<Omit<TrustPolicyFinding, 'statement'>> {
  if (condition !== undefined && !isObject(condition)) throw new Unverifiable('Condition is not an object');
  const pinned = (claim: string, expected: string) => {
    const pairs = condition?.StringEquals;
    if (pairs === undefined) return false;
    if (!isObject(pairs)) throw new Unverifiable('Condition StringEquals is not an object');
    const key = `${oidc.conditionPrefix}:${claim}`.toLowerCase();
    return Object.entries(pairs).some(([name, value]) => {
      if (name.toLowerCase() !== key) return false;
      const values = strings(value, `Condition StringEquals ${name}`);
      return values.length === 1 && values[0] === expected;
    });
  };
  const findings: Array<Omit<TrustPolicyFinding, 'statement'>> = [];
  if (!pinned('aud', 'sts.amazonaws.com')) {
    findings.push({
      code: 'oidc_audience_not_pinned',
      problem: `it allows assuming the role without StringEquals ${oidc.conditionPrefix}:aud = sts.amazonaws.com`,
    });
  }
  if (!pinned('sub', oidc.subject)) {
    findings.push({
      code: 'oidc_subject_not_pinned',
      problem: `it allows assuming the role without StringEquals ${oidc.conditionPrefix}:sub = ${oidc.subject} (StringLike does not pin)`,
    });
  }
  return findings;
}

/**
 * While a rotation is under way the condition may list the install's two IDs, or either alone (the customer moved
 * ahead or has not moved yet): only the install's own IDs, each literal, never any other value.
 */
function pinsDuringRotation(values: string[], accepted: readonly [string, string]): boolean {
  if (!accepted.every((id) => externalIdAlphabet.test(id))) return false;
  return values.length >= 1 && values.length <= 2 && values.every((value) => accepted.includes(value));
}

const severity: readonly TrustPolicyFindingCode[] = [
  'trust_policy_allows_anyone',
  'trust_policy_allows_other_principals',
  'oidc_subject_not_pinned',
  'oidc_audience_not_pinned',
  'external_id_not_pinned',
  'trust_policy_unreadable',
  'trust_policy_unverifiable',
];

/**
 * The refusal the findings amount to: the gravest finding's code, and a message naming every finding by statement.
 *
 * @example
 * describeTrustPolicyFindings([{ code: 'trust_policy_allows_anyone', statement: '#1', problem: 'Principal is "*"' }])
 * // → { code: 'trust_policy_allows_anyone',
 * //     message: 'The trust policy does not limit the role to the vendor with this External ID: #1: Principal is "*".' }
 */
export function describeTrustPolicyFindings(
  findings: readonly TrustPolicyFinding[],
): { code: TrustPolicyFindingCode; message: string } | undefined {
  const gravest = [...findings].sort((a, b) => severity.indexOf(a.code) - severity.indexOf(b.code))[0];
  if (!gravest) return undefined;
  const listed = findings.map((finding) => (finding.statement ? `${finding.statement}: ` : '') + finding.problem);
  return {
    code: gravest.code,
    message: `The trust policy does not limit the role to the vendor with this External ID: ${listed.join('; ')}.`,
  };
}

/**
 * The first key that appears twice in one object of a document JSON.parse has accepted, or undefined. One pass,
 * no backtracking: a stack holds each open object's keys (null for an array); a string is a key when it follows
 * `{` or, inside an object, `,`.
 */
function firstDuplicateKey(json: string): string | undefined {
  const open: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let index = 0; index < json.length; index += 1) {
    const char = json[index];
    if (char === '"') {
      let end = index + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      if (expectKey) {
        const key = JSON.parse(json.slice(index, end + 1)) as string;
        const keys = open[open.length - 1]!;
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      index = end;
    } else if (char === '{') {
      open.push(new Set());
      expectKey = true;
    } else if (char === '[') {
      open.push(null);
    } else if (char === '}' || char === ']') {
      open.pop();
      expectKey = false;
    } else if (char === ',') {
      const enclosing = open[open.length - 1];
      expectKey = enclosing !== undefined && enclosing !== null;
    }
  }
  return undefined;
}
