import fc from 'fast-check';
import type { PolicyStatement } from '../../domain/policy-document';
import {
  checkTrustPolicy,
  describeTrustPolicyFindings,
  maxTrustPolicyChars,
  type TrustPolicyFinding,
} from '../../domain/trust-policy-check';
import { renderTrustPolicy } from '../../domain/trust-policy';

const vendor = 'arn:aws:iam::123456789012:role/vendor';
const externalId = 'e'.repeat(48);
const expected = { vendorPrincipalArn: vendor, externalId };
const pinned = { StringEquals: { 'sts:ExternalId': externalId } };

/** The rendered safe statement with some elements replaced (undefined removes one). */
function statement(changes: Record<string, unknown> = {}): Record<string, unknown> {
  const safe: Record<string, unknown> = {
    Effect: 'Allow',
    Principal: { AWS: vendor },
    Action: 'sts:AssumeRole',
    Condition: pinned,
  };
  const merged = { ...safe, ...changes };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

function check(...statements: unknown[]): TrustPolicyFinding[] {
  return checkTrustPolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), expected);
}

const codes = (findings: TrustPolicyFinding[]) => [...new Set(findings.map((finding) => finding.code))].sort();

describe('the trust policy check (who besides the vendor, with which External ID, may assume the role)', () => {
  it('passes the trust policy the onboarding kit renders', () => {
    expect(checkTrustPolicy(JSON.stringify(renderTrustPolicy(vendor, externalId)), expected)).toEqual([]);
  });

  it('passes a single statement object instead of a list, and extra conditions that only narrow it', () => {
    const narrowed = statement({
      Condition: { ...pinned, Bool: { 'aws:SecureTransport': 'true' }, StringLike: { 'sts:ExternalId': '*' } },
    });
    expect(checkTrustPolicy(JSON.stringify({ Statement: narrowed }), expected)).toEqual([]);
  });

  it('passes a policy whose other statements deny, or allow only actions that do not assume the role', () => {
    expect(
      check(
        statement(),
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 'sts:AssumeRole',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        { Effect: 'Allow', Principal: '*', Action: ['sts:TagSession', 'sts:SetSourceIdentity'] },
      ),
    ).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['Principal "*"', { Principal: '*' }],
    ['{"AWS": "*"} with our External ID (the issue’s example)', { Principal: { AWS: '*' } }],
    ['{"AWS": ["<vendor>", "*"]}', { Principal: { AWS: [vendor, '*'] } }],
    ['NotPrincipal naming the vendor', { Principal: undefined, NotPrincipal: { AWS: vendor } }],
  ])('refuses %s as allowing anyone', (_shape, changes) => {
    const findings = check(statement(changes));
    expect(codes(findings)).toContain('trust_policy_allows_anyone');
    expect(codes(findings)).not.toContain('external_id_not_pinned');
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'the vendor account root',
      { Principal: { AWS: 'arn:aws:iam::123456789012:root' } },
      'AWS arn:aws:iam::123456789012:root',
    ],
    ['the vendor account id', { Principal: { AWS: '123456789012' } }, 'AWS 123456789012'],
    ['another account', { Principal: { AWS: 'arn:aws:iam::999999999999:root' } }, 'AWS arn:aws:iam::999999999999:root'],
    ['the vendor and another role', { Principal: { AWS: [vendor, 'arn:aws:iam::999999999999:role/x'] } }, 'role/x'],
    ['a wildcard in the vendor’s ARN', { Principal: { AWS: 'arn:aws:iam::123456789012:role/*' } }, 'role/*'],
    ['the vendor’s ARN in another case', { Principal: { AWS: vendor.toUpperCase() } }, 'ROLE/VENDOR'],
    ['a service', { Principal: { AWS: vendor, Service: 'ec2.amazonaws.com' } }, 'Service ec2.amazonaws.com'],
    ['a federated identity', { Principal: { Federated: 'cognito-identity.amazonaws.com' } }, 'Federated cognito'],
    ['a canonical user', { Principal: { CanonicalUser: 'abc' } }, 'CanonicalUser abc'],
  ])('refuses %s as other principals, naming them', (_shape, changes, named) => {
    const findings = check(statement(changes));
    expect(codes(findings)).toEqual(['trust_policy_allows_other_principals']);
    expect(findings[0]!.problem).toContain(named);
  });

  it.each<[string, Record<string, unknown>]>([
    ['no condition', { Condition: undefined }],
    ['another condition only', { Condition: { Bool: { 'aws:SecureTransport': 'true' } } }],
    [
      'StringEquals with two External IDs',
      { Condition: { StringEquals: { 'sts:ExternalId': [externalId, 'other'] } } },
    ],
    ['StringEquals with another External ID', { Condition: { StringEquals: { 'sts:ExternalId': 'f'.repeat(48) } } }],
    ['StringLike with a wildcard', { Condition: { StringLike: { 'sts:ExternalId': 'e*' } } }],
    ['StringLike "*"', { Condition: { StringLike: { 'sts:ExternalId': '*' } } }],
    ['StringEqualsIfExists', { Condition: { StringEqualsIfExists: { 'sts:ExternalId': externalId } } }],
    ['StringEqualsIgnoreCase', { Condition: { StringEqualsIgnoreCase: { 'sts:ExternalId': externalId } } }],
    ['ForAnyValue:StringEquals', { Condition: { 'ForAnyValue:StringEquals': { 'sts:ExternalId': externalId } } }],
    ['ForAllValues:StringEquals', { Condition: { 'ForAllValues:StringEquals': { 'sts:ExternalId': externalId } } }],
    ['StringNotEquals', { Condition: { StringNotEquals: { 'sts:ExternalId': 'other' } } }],
    ['Null false', { Condition: { Null: { 'sts:ExternalId': 'false' } } }],
    [
      'a condition on another key with our value',
      { Condition: { StringEquals: { 'aws:PrincipalTag/x': externalId } } },
    ],
    ['a lower-case operator name', { Condition: { stringequals: { 'sts:ExternalId': externalId } } }],
  ])('refuses %s as not pinning the External ID', (_shape, changes) => {
    expect(codes(check(statement(changes)))).toEqual(['external_id_not_pinned']);
  });

  it.each([['sts:externalid'], ['STS:EXTERNALID'], ['Sts:ExternalId']])(
    'accepts the condition key written %s (keys are case-insensitive)',
    (key) => {
      expect(check(statement({ Condition: { StringEquals: { [key]: externalId } } }))).toEqual([]);
    },
  );

  it('accepts StringLike with the literal External ID and a one-element list', () => {
    expect(check(statement({ Condition: { StringLike: { 'sts:ExternalId': externalId } } }))).toEqual([]);
    expect(check(statement({ Condition: { StringEquals: { 'sts:ExternalId': [externalId] } } }))).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['sts:*', 'sts:*'],
    ['*', '*'],
    ['sts:Assume*', 'sts:Assume*'],
    ['STS:ASSUMEROLE', 'STS:ASSUMEROLE'],
    ['sts:AssumeRoleWith?AML', 'sts:AssumeRoleWith?AML'],
    ['sts:AssumeRoleWithWebIdentity in a list', ['sts:TagSession', 'sts:AssumeRoleWithWebIdentity']],
  ])('judges the statement when its Action %s could grant assuming the role', (_shape, action) => {
    expect(codes(check(statement({ Action: action, Principal: '*' })))).toEqual(['trust_policy_allows_anyone']);
  });

  it('judges NotAction by what it leaves granted', () => {
    const leavesAssume = statement({ Action: undefined, NotAction: 'sts:TagSession', Principal: '*' });
    expect(codes(check(leavesAssume))).toEqual(['trust_policy_allows_anyone']);
    const excludesAll = statement({ Action: undefined, NotAction: 'sts:Assume*', Principal: '*' });
    expect(check(statement(), excludesAll)).toEqual([]);
  });

  it('names the statement at fault when one of two is unsafe', () => {
    const findings = check(statement({ Sid: 'Ours' }), statement({ Principal: { AWS: '*' } }));
    expect(findings).toEqual([
      { code: 'trust_policy_allows_anyone', statement: '#2', problem: expect.stringContaining('"*"') },
    ]);
  });

  it('reports every problem of a statement: anyone and without a pinned External ID', () => {
    expect(codes(check(statement({ Principal: '*', Condition: undefined })))).toEqual([
      'external_id_not_pinned',
      'trust_policy_allows_anyone',
    ]);
  });

  it.each<[string, string]>([
    ['malformed JSON', '{"Statement": ['],
    ['no Statement', '{"Version":"2012-10-17"}'],
    ['a statement that is a string', JSON.stringify({ Statement: ['Allow'] })],
    ['an Effect other than Allow or Deny', JSON.stringify({ Statement: [statement({ Effect: 'allow' })] })],
    ['an unknown element', JSON.stringify({ Statement: [statement({ Principals: '*' })] })],
    ['both Action and NotAction', JSON.stringify({ Statement: [statement({ NotAction: 'sts:TagSession' })] })],
    ['neither Action nor NotAction', JSON.stringify({ Statement: [statement({ Action: undefined })] })],
    ['an Action that is a number', JSON.stringify({ Statement: [statement({ Action: 1 })] })],
    ['an empty Action list', JSON.stringify({ Statement: [statement({ Action: [] })] })],
    ['no Principal', JSON.stringify({ Statement: [statement({ Principal: undefined })] })],
    ['an empty Principal', JSON.stringify({ Statement: [statement({ Principal: {} })] })],
    ['an unknown principal kind', JSON.stringify({ Statement: [statement({ Principal: { Aws: vendor } })] })],
    ['a Condition that is a list', JSON.stringify({ Statement: [statement({ Condition: [pinned] })] })],
    [
      'a condition value that is an object',
      JSON.stringify({ Statement: [statement({ Condition: { StringEquals: { 'sts:ExternalId': { a: 1 } } } })] }),
    ],
  ])('refuses %s as unverifiable', (_shape, document) => {
    expect(codes(checkTrustPolicy(document, expected))).toEqual(['trust_policy_unverifiable']);
  });

  it('refuses a policy with a key twice in one object, whichever copy is the safe one', () => {
    const safe = JSON.stringify(statement());
    const anyoneFirst = `{"Statement":[${safe.replace('"Principal":', '"Principal":"*","Principal":')}]}`;
    expect(JSON.parse(anyoneFirst)).toEqual({ Statement: [statement()] }); // JSON.parse keeps the safe copy
    expect(checkTrustPolicy(anyoneFirst, expected)).toEqual([
      { code: 'trust_policy_unverifiable', statement: '', problem: 'the key Principal appears twice in one object' },
    ]);
    const escapedTwin = `{"Statement":[${safe.replace('"Effect":', '"Eff\\u0065ct":"Deny","Effect":')}]}`;
    expect(codes(checkTrustPolicy(escapedTwin, expected))).toEqual(['trust_policy_unverifiable']);
  });

  it('tells keys from values: the same text as a value, in another object or in a list is no duplicate', () => {
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { ...statement({ Sid: 'Effect' }), Condition: { StringEquals: { 'sts:ExternalId': externalId } } },
        { ...statement({ Sid: 'Two', Action: ['sts:AssumeRole', 'sts:AssumeRole'] }) },
      ],
    });
    expect(checkTrustPolicy(document, expected)).toEqual([]);
  });

  it('refuses a policy larger than IAM allows without parsing it', () => {
    const padding = 'x'.repeat(maxTrustPolicyChars);
    const document = JSON.stringify({ Statement: [statement({ Sid: padding })] });
    expect(checkTrustPolicy(document, expected)).toEqual([
      { code: 'trust_policy_unverifiable', statement: '', problem: expect.stringMatching(/more than IAM allows/) },
    ]);
  });

  it('refuses, within its work budget, actions built to make wildcard matching slow', () => {
    // Each pattern tries its ?-segment at every position of every assume action, and never fits.
    const actions = Array.from({ length: 1000 }, () => `*${'?'.repeat(12)}Z*`);
    const document = JSON.stringify({ Statement: [statement({ Action: actions })] });
    expect(document.length).toBeLessThan(maxTrustPolicyChars);
    expect(codes(checkTrustPolicy(document, expected))).toEqual(['trust_policy_unverifiable']);
  });

  it('refuses with the gravest finding’s code and a message naming every finding by statement', () => {
    const findings = check(
      statement({ Sid: 'Loose', Condition: undefined }),
      statement({ Sid: 'Open', Principal: { AWS: '*' } }),
    );
    expect(describeTrustPolicyFindings(findings)).toEqual({
      code: 'trust_policy_allows_anyone',
      message: expect.stringMatching(
        /Loose: it allows assuming the role without .*; Open: Principal names \{"AWS": "\*"\}\.$/,
      ),
    });
    expect(describeTrustPolicyFindings([])).toBeUndefined();
  });

  describe('properties (fast-check)', () => {
    const externalIds = fc.stringMatching(/^[\w+=,.@:/-]{2,96}$/);
    const vendors = fc.stringMatching(/^\d{12}$/).map((account) => `arn:aws:iam::${account}:role/vendor`);
    const principalArns = fc.oneof(
      fc.constant('*'),
      fc.stringMatching(/^\d{12}$/),
      fc.stringMatching(/^\d{12}$/).map((account) => `arn:aws:iam::${account}:root`),
      fc.stringMatching(/^[\w+=,.@-]{1,20}$/).map((name) => `arn:aws:iam::123456789012:role/${name}`),
    );

    it('passes the rendered trust policy for any External ID and vendor', () => {
      fc.assert(
        fc.property(vendors, externalIds, (vendorArn, id) => {
          const document = JSON.stringify(renderTrustPolicy(vendorArn, id));
          return checkTrustPolicy(document, { vendorPrincipalArn: vendorArn, externalId: id }).length === 0;
        }),
      );
    });

    it('fails once any Allow statement lets another principal assume the role, whatever its condition', () => {
      fc.assert(
        fc.property(
          vendors,
          externalIds,
          principalArns,
          fc.constantFrom('sts:AssumeRole', 'sts:*', '*', 'sts:Assume*'),
          fc.boolean(),
          (vendorArn, id, other, action, withCondition) => {
            fc.pre(other !== vendorArn);
            const policy = renderTrustPolicy(vendorArn, id);
            const extra: PolicyStatement = {
              Effect: 'Allow',
              Principal: { AWS: other },
              Action: action,
              ...(withCondition ? { Condition: { StringEquals: { 'sts:ExternalId': id } } } : {}),
            };
            const findings = checkTrustPolicy(JSON.stringify({ ...policy, Statement: [...policy.Statement, extra] }), {
              vendorPrincipalArn: vendorArn,
              externalId: id,
            });
            return findings.some((finding) =>
              ['trust_policy_allows_anyone', 'trust_policy_allows_other_principals'].includes(finding.code),
            );
          },
        ),
      );
    });

    it('answers any text with findings, never an exception', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string(),
            fc.json(),
            fc.jsonValue().map((value) => JSON.stringify({ Statement: value })),
          ),
          (text) => {
            expect(Array.isArray(checkTrustPolicy(text, expected))).toBe(true);
          },
        ),
      );
    });
  });
});
