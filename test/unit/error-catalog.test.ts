import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ApplicationFailure } from '@temporalio/common';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClientFactory } from '../../activities/aws/clients';
import { CustomerSessions } from '../../activities/aws/customer-session';
import { callAws } from '../../activities/aws/errors';
import type { ActivityDeps } from '../../activities/deps';
import { createVerifyRoleActivities } from '../../activities/verify-role';
import { catalogCodes, explainError } from '../../domain/error-catalog';
import { installResourceNames } from '../../domain/install-names';
import { rolePolicyLimits } from '../../domain/permissions';
import type { PolicyDocument } from '../../domain/policy-document';
import type { StepName } from '../../workflows/definitions';
import { describeFailure, summarizeFailure } from '../../workflows/failures';
import { awsError, fakeSessions, quietActivityEnvironment } from './aws-fakes';

/** What the status shows for an AWS call that failed this way inside an activity. */
async function explainAwsFailure(operation: string, error: Error, step?: StepName) {
  const failure = await callAws(operation, () => Promise.reject(error)).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  return describeFailure(summarizeFailure(failure), step);
}

const access = {
  installId: 'acme-prod',
  roleArn: 'arn:aws:iam::111111111111:role/install-acme-prod-access',
  externalId: 'e'.repeat(48),
  region: 'us-east-1',
};
const sts = mockClient(STSClient);

/** verifyRoleAccess against a mocked STS answering AssumeRole with `error`, with sessions of `sessionSeconds`. */
async function explainVerification(error: Error, sessionSeconds?: number) {
  sts.reset();
  sts.on(AssumeRoleCommand).rejects(error);
  const aws = { vendorSts: () => new STSClient({ region: 'us-east-1' }) } as unknown as AwsClientFactory;
  const sessions = new CustomerSessions(aws, { sessionSeconds });
  const { verifyRoleAccess } = createVerifyRoleActivities({ aws, sessions } as unknown as ActivityDeps);
  const failure = await quietActivityEnvironment()
    .run(verifyRoleAccess, { access })
    .catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  return { failure: failure as ApplicationFailure, shown: describeFailure(summarizeFailure(failure), 'verify_role') };
}

type Shown = { code: string; cause?: string; fix?: string };
type ExpectExplained = (shown: Shown, code: string, cause: RegExp, fix: RegExp) => void;

/**
 * The catalog codes the cases below explain, filled as the cases are declared (not as they run), so the coverage
 * check holds whichever cases a run selects.
 */
const declared = new Set<string>();

/** One case: it must explain exactly the codes it declares, each with its cause and fix. */
function itExplains(
  codes: string[],
  name: string,
  body: (expectExplained: ExpectExplained) => void | Promise<void>,
): void {
  codes.forEach((code) => declared.add(code));
  it(name, async () => {
    const explained: string[] = [];
    await body((shown, code, cause, fix) => {
      expect(shown.code).toBe(code);
      expect(shown.cause).toMatch(cause);
      expect(shown.fix).toMatch(fix);
      explained.push(code);
    });
    expect([...new Set(explained)].sort()).toEqual([...codes].sort());
  });
}

describe('the actionable error catalog, case by case', () => {
  describe('reaching the role (sts:AssumeRole as the activity makes it)', () => {
    itExplains(
      ['role_not_assumable'],
      'explains AccessDenied on AssumeRole as a trust policy that does not admit the vendor with the External ID',
      async (expectExplained) => {
        const { failure, shown } = await explainVerification(
          awsError(
            'AccessDenied',
            'User: arn:aws:iam::123456789012:user/vendor is not authorized to perform: sts:AssumeRole on resource: ' +
              access.roleArn,
            403,
          ),
        );
        expect(failure.nonRetryable).toBe(false); // IAM may still be propagating a new role
        expect(shown).toMatchObject({ awsErrorCode: 'AccessDenied', operation: 'sts:AssumeRole' });
        expectExplained(shown, 'role_not_assumable', /trust policy/, /sts:ExternalId/);
      },
    );

    itExplains(
      ['invalid_identity_token'],
      "retries an OIDC install's InvalidIdentityToken as a provider still propagating, and explains it if it lasts",
      async (expectExplained) => {
        // The token path (AssumeRoleWithWebIdentity) stands in here: what matters is how its refusal is classed.
        const refused = awsError(
          'InvalidIdentityToken',
          'No OpenIDConnect provider found in your account for https://issuer.vendor.example/oidc',
        );
        const sessions = { assumeRole: () => Promise.reject(refused) };
        const { verifyRoleAccess } = createVerifyRoleActivities({ sessions } as unknown as ActivityDeps);
        const failure = await quietActivityEnvironment()
          .run(verifyRoleAccess, { access: { ...access, oidc: { subject: 'install:acme:acme-prod' } } })
          .catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(ApplicationFailure);
        expect((failure as ApplicationFailure).nonRetryable).toBe(false);
        const shown = describeFailure(summarizeFailure(failure), 'verify_role');
        expect(shown).toMatchObject({ awsErrorCode: 'InvalidIdentityToken' });
        expectExplained(
          shown,
          'invalid_identity_token',
          /no IAM OIDC provider/,
          /OIDC provider from the onboarding kit/,
        );
      },
    );

    for (const [code, message] of [
      ['InvalidClientTokenId', 'The security token included in the request is invalid.'],
      ['SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'],
    ] as const) {
      itExplains(
        ['vendor_credentials_invalid'],
        `explains ${code} as the vendor's own credentials, not the customer's role`,
        async (expectExplained) => {
          const { failure, shown } = await explainVerification(awsError(code, message, 403));
          expect(failure.nonRetryable).toBe(true);
          expectExplained(shown, 'vendor_credentials_invalid', /vendor's own credentials/, /operator/);
        },
      );
    }

    itExplains(
      ['session_too_long_for_role_chaining'],
      'explains a session longer than role chaining allows, and does not blame the ARN',
      async (expectExplained) => {
        const { shown } = await explainVerification(
          awsError(
            'ValidationError',
            'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
          ),
          7200,
        );
        expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.DurationSeconds).toBe(7200);
        expectExplained(shown, 'session_too_long_for_role_chaining', /role chaining/, /CUSTOMER_SESSION_SECONDS/);
      },
    );

    itExplains(
      ['session_longer_than_role_allows'],
      "explains a session longer than the role's own maximum",
      async (expectExplained) => {
        const { shown } = await explainVerification(
          awsError(
            'ValidationError',
            'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
          ),
          14_400,
        );
        expectExplained(shown, 'session_longer_than_role_allows', /maximum session duration/, /Edit/);
      },
    );

    itExplains(['invalid_role_arn'], 'explains an ARN STS cannot parse', async (expectExplained) => {
      const { shown } = await explainVerification(
        awsError(
          'ValidationError',
          "1 validation error detected: Value 'arn:aws:iam::111111111111:role/' at 'roleArn' failed to satisfy " +
            'constraint: Member must have length greater than or equal to 20',
        ),
      );
      expectExplained(shown, 'invalid_role_arn', /not the ARN of an IAM role/, /arn:aws:iam::<account id>/);
    });

    itExplains(['sts_region_disabled'], 'explains STS deactivated in the region', async (expectExplained) => {
      const { shown } = await explainVerification(
        awsError(
          'RegionDisabledException',
          'STS is not activated in this region for account:111111111111. Your account administrator can activate ' +
            'STS in this region using the IAM Console.',
          403,
        ),
      );
      expectExplained(shown, 'sts_region_disabled', /deactivated in this region/, /Security Token Service endpoints/);
    });

    itExplains(
      ['role_access_lost'],
      'explains a role that worked and is now refused (a later step assumes it again)',
      async (expectExplained) => {
        sts.reset();
        sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied', 'not authorized to perform: sts:AssumeRole', 403));
        const aws = { vendorSts: () => new STSClient({ region: 'us-east-1' }) } as unknown as AwsClientFactory;
        const failure = await new CustomerSessions(aws).clients(access).catch((e: unknown) => e);
        const shown = describeFailure(summarizeFailure(failure), 'deploy_sandbox');
        expectExplained(shown, 'role_access_lost', /deleted, or its trust policy was changed/, /Recreate the role/);
      },
    );

    itExplains(['identity_mismatch'], 'explains a role that answers as another account', async (expectExplained) => {
      sts.reset();
      sts.on(AssumeRoleCommand).resolves({
        Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date() },
      });
      sts
        .on(GetCallerIdentityCommand)
        .resolves({ Account: '999999999999', Arn: 'arn:aws:sts::999999999999:assumed-role/other/s' });
      const aws = {
        vendorSts: () => new STSClient({ region: 'us-east-1' }),
        customer: () => ({ sts: new STSClient({ region: 'us-east-1' }) }),
      } as unknown as AwsClientFactory;
      const { verifyRoleAccess } = createVerifyRoleActivities({
        aws,
        sessions: new CustomerSessions(aws),
      } as unknown as ActivityDeps);
      const failure = await quietActivityEnvironment()
        .run(verifyRoleAccess, { access })
        .catch((e: unknown) => e);
      expectExplained(
        describeFailure(summarizeFailure(failure), 'verify_role'),
        'identity_mismatch',
        /another account or role/,
        /account this install is for/,
      );
    });
  });

  describe("the role's own policies (iam:Get* as checkRolePermissions reads them)", () => {
    const iam = mockClient(IAMClient);
    const customerPolicy = (index: number) => `arn:aws:iam::111111111111:policy/p${index}`;

    /** checkRolePermissions against a role whose inline policy and managed policies IAM answers with these. */
    async function runPermissionCheck(inline: string, managed: string[], policyArn = customerPolicy) {
      iam.reset();
      iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['inline'] });
      iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: encodeURIComponent(inline) });
      iam
        .on(ListAttachedRolePoliciesCommand)
        .resolves({ AttachedPolicies: managed.map((_, index) => ({ PolicyArn: policyArn(index) })) });
      iam.on(GetPolicyCommand).resolves({ Policy: { DefaultVersionId: 'v1' } });
      managed.forEach((document, index) =>
        iam
          .on(GetPolicyVersionCommand, { PolicyArn: policyArn(index) })
          .resolves({ PolicyVersion: { Document: encodeURIComponent(document) } }),
      );
      const sessions = fakeSessions({ iam: new IAMClient({ region: 'us-east-1' }) });
      const { checkRolePermissions } = createVerifyRoleActivities({ sessions } as unknown as ActivityDeps);
      const names = installResourceNames({
        installId: 'a'.repeat(40),
        awsAccountId: '111111111111',
        region: 'us-east-1',
      });
      return quietActivityEnvironment()
        .run(checkRolePermissions, { access, names })
        .catch((e: unknown) => e);
    }

    async function explainPermissionCheck(inline: string, managed: string[]) {
      const failure = await runPermissionCheck(inline, managed);
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect((failure as ApplicationFailure).nonRetryable).toBe(true);
      return describeFailure(summarizeFailure(failure), 'check_permissions');
    }

    itExplains(
      ['role_policies_too_complex'],
      'explains policies whose wildcards need more matching than one check may spend',
      async (expectExplained) => {
        // Within IAM's size limits, but some 24,000 ARN patterns that match nothing, each tried against every ARN.
        const slow: PolicyDocument = { Version: '2012-10-17', Statement: [] };
        while (JSON.stringify(slow).length < rolePolicyLimits.managedPolicyCharacters - 600) {
          slow.Statement.push({ Effect: 'Allow', Action: '*', Resource: Array<string>(100).fill('*Q') });
        }
        const shown = await explainPermissionCheck(
          JSON.stringify({ Version: '2012-10-17', Statement: [] }),
          Array<string>(rolePolicyLimits.managedPolicies).fill(JSON.stringify(slow)),
        );
        expect(shown.message).toMatch(/more wildcard matching than one check may spend/);
        expectExplained(shown, 'role_policies_too_complex', /wildcards need more matching/, /long runs of \* or \?/);
      },
    );

    it("evaluates AWS's own managed policies, which may be longer than a customer's", async () => {
      const readOnly = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: Array.from({ length: 800 }, (_, i) => `service${i}:Get*`), Resource: '*' },
        ],
      });
      expect(readOnly.length).toBeGreaterThan(rolePolicyLimits.managedPolicyCharacters);
      const awsManaged = (index: number) => `arn:aws:iam::aws:policy/ReadOnly${index}`;
      const outcome = await runPermissionCheck('{"Version":"2012-10-17","Statement":[]}', [readOnly], awsManaged);
      expect(outcome).toMatchObject({ missing: expect.arrayContaining([expect.stringMatching(/^iam:GetRole on /)]) });
    });

    itExplains(
      ['role_policies_too_complex'],
      'refuses, unevaluated, policies larger than IAM lets a role have',
      async (expectExplained) => {
        const oversized = JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: '*', Resource: `arn:aws:${'*'.repeat(rolePolicyLimits.inlineCharacters)}` },
          ],
        });
        const shown = await explainPermissionCheck(oversized, []);
        expect(shown.message).toMatch(/inline policies have \d+ characters; IAM allows 10240/);
        expect(iam.commandCalls(ListAttachedRolePoliciesCommand)).toHaveLength(0);
        expectExplained(shown, 'role_policies_too_complex', /larger than IAM allows/, /onboarding kit/);
      },
    );
  });

  describe("the install's own findings", () => {
    for (const [type, code, cause, fix] of [
      [
        'external_id_not_enforced',
        'external_id_not_enforced',
        /without the External ID/,
        /StringEquals sts:ExternalId/,
      ],
      ['external_id_not_pinned', 'external_id_not_pinned', /External IDs other than/, /as the only value/],
      ['trust_policy_allows_anyone', 'trust_policy_allows_anyone', /any AWS principal/, /vendor principal ARN/],
      [
        'trust_policy_allows_other_principals',
        'trust_policy_allows_other_principals',
        /principals other than the vendor/,
        /Remove every principal but the vendor/,
      ],
      [
        'trust_policy_unverifiable',
        'trust_policy_unverifiable',
        /cannot evaluate/,
        /trust policy from the onboarding kit/,
      ],
      ['trust_policy_unreadable', 'trust_policy_unreadable', /iam:GetRole/, /grants iam:GetRole/],
      ['oidc_subject_not_enforced', 'oidc_subject_not_enforced', /another install's subject/, /:sub with StringEquals/],
      ['oidc_audience_not_enforced', 'oidc_audience_not_enforced', /another audience/, /sts\.amazonaws\.com/],
      ['oidc_expired_token_accepted', 'oidc_expired_token_accepted', /expired token/, /STS endpoint/],
      ['oidc_unknown_key_accepted', 'oidc_unknown_key_accepted', /does not publish/, /Principal Federated/],
      [
        'oidc_subject_not_pinned',
        'oidc_subject_not_pinned',
        /subject to this install alone/,
        /StringEquals <issuer>:sub/,
      ],
      ['oidc_audience_not_pinned', 'oidc_audience_not_pinned', /audience to sts/, /<issuer>:aud/],
      [
        'InvalidIdentityTokenException',
        'invalid_identity_token',
        /no IAM OIDC provider/,
        /OIDC provider from the onboarding kit/,
      ],
      ['OidcIssuerNotConfigured', 'oidc_issuer_not_configured', /no OIDC issuer configured/, /OIDC_ISSUER_URL/],
      ['InvalidRoleArn', 'invalid_role_arn', /not the ARN of an IAM role/, /IAM console/],
      ['missing_permissions', 'missing_permissions', /lacks actions/, /provision and deprovision policies/],
      ['permissions_lost', 'permissions_lost', /no longer grants actions of the permission version/, /recheck/],
      [
        'permission_upgrade_required',
        'permission_upgrade_required',
        /newer version of its permission set/,
        /updated provision policy/,
      ],
      ['RunnerCheckInTimedOut', 'runner_check_in_timed_out', /did not check in/, /registration token/],
      ['approval_expired', 'approval_expired', /Nobody approved/, /approval\.expiresAfter/],
      ['Timeout', 'aws_timeout', /did not answer in time/, /service health/],
      ['sandbox_stack_changed', 'sandbox_stack_changed', /outside the install/, /restore the stack/],
      ['cost_report_missing', 'cost_report_missing', /was deleted/, /recreate it/],
      ['cost_report_changed', 'cost_report_changed', /was edited/, /refresh of closed months/],
      ['data_export_missing', 'data_export_missing', /was deleted/, /recreate it/],
      ['data_export_changed', 'data_export_changed', /was edited/, /Parquet/],
      ['cur_first_report_overdue', 'cur_first_report_overdue', /first cost report/, /billingreports\.amazonaws\.com/],
      ['StackFailed', 'stack_failed', /rolled it back/, /failing resource/],
      ['ChangeSetFailed', 'sandbox_plan_failed', /change set for approval/, /start the install again/],
      ['ChangeSetGone', 'approved_plan_gone', /was deleted while the install waited/, /approve its new plan/],
      ['StackNeedsDeletion', 'stack_needs_deletion', /ROLLBACK_COMPLETE/, /Delete the sandbox stack/],
      ['StackDeleteFailed', 'stack_delete_failed', /could not delete/, /by hand/],
      ['BucketNameTaken', 'cur_bucket_name_taken', /another AWS account/, /cur\.bucketName/],
      ['InvalidInstallInput', 'invalid_install_input', /not one literal place/, /cur\.prefix/],
      ['management_role_refused', 'management_role_refused', /management role/, /organization install kit/],
      [
        'management_role_without_external_id',
        'management_role_without_external_id',
        /without the External ID/,
        /StringEquals sts:ExternalId/,
      ],
      ['not_management_account', 'not_management_account', /management account/, /managementAccountId/],
      ['management_role_not_submitted', 'management_role_not_submitted', /did not arrive/, /roleSubmissionTimeout/],
      ['invalid_organization_install', 'invalid_organization_install', /23 characters/, /1 to 20 OU/],
      ['StackSetOperationFailed', 'stack_set_operation_failed', /failure tolerance/, /status reasons/],
      ['TooManyMemberAccounts', 'too_many_member_accounts', /more accounts/, /several organization installs/],
    ] as const) {
      itExplains([code], `explains ${type}`, (expectExplained) => {
        const failure = ApplicationFailure.nonRetryable('what happened', type);
        expectExplained(describeFailure(summarizeFailure(failure)), code, cause, fix);
      });
    }
  });

  describe('organization installs', () => {
    itExplains(
      ['stack_set_trusted_access_disabled'],
      'explains a StackSet refused because trusted access for StackSets is off in AWS Organizations',
      async (expectExplained) => {
        const shown = await explainAwsFailure(
          'cloudformation:CreateStackSet',
          awsError(
            'ValidationError',
            'You must enable organizations access to operate a service managed stack set',
            400,
          ),
        );
        expectExplained(shown, 'stack_set_trusted_access_disabled', /trusted access/, /Activate trusted access/);
      },
    );
  });

  describe('AWS refusing what the install creates', () => {
    itExplains(
      ['cur_bucket_policy_denied'],
      'explains the CUR bucket policy being denied, apart from any other refusal',
      async (expectExplained) => {
        const shown = await explainAwsFailure(
          's3:PutBucketPolicy',
          awsError('AccessDenied', 'Access Denied', 403),
          'apply_cur_bucket_policy',
        );
        expectExplained(shown, 'cur_bucket_policy_denied', /s3:PutBucketPolicy/, /service control policy/);
      },
    );

    itExplains(
      ['permission_denied'],
      'explains any other refusal naming the operation AWS refused',
      async (expectExplained) => {
        const shown = await explainAwsFailure(
          'cloudformation:CreateStack',
          awsError('AccessDenied', 'User is not authorized to perform: cloudformation:CreateStack', 403),
          'deploy_sandbox',
        );
        expectExplained(shown, 'permission_denied', /AWS refused cloudformation:CreateStack/, /onboarding kit/);
      },
    );

    itExplains(
      ['cur_bucket_policy_malformed'],
      'explains a bucket policy S3 cannot accept',
      async (expectExplained) => {
        const shown = await explainAwsFailure(
          's3:PutBucketPolicy',
          awsError('MalformedPolicy', 'Policy has invalid resource'),
          'apply_cur_bucket_policy',
        );
        expectExplained(shown, 'cur_bucket_policy_malformed', /refused the CUR bucket’s policy/, /existing policy/);
      },
    );

    itExplains(
      ['policy_document_malformed'],
      'explains a policy document IAM calls malformed',
      async (expectExplained) => {
        const shown = await explainAwsFailure(
          'iam:PutRolePolicy',
          awsError('MalformedPolicyDocument', 'Syntax errors in policy.'),
        );
        expectExplained(shown, 'policy_document_malformed', /malformed/, /onboarding kit unchanged/);
      },
    );

    itExplains(['stack_limit_reached'], 'explains the stack quota', async (expectExplained) => {
      const shown = await explainAwsFailure(
        'cloudformation:CreateStack',
        awsError('LimitExceededException', 'Limit for stacks has been exceeded'),
        'deploy_sandbox',
      );
      expectExplained(shown, 'stack_limit_reached', /stack quota/, /Service Quotas/);
    });

    itExplains(
      ['cur_bucket_name_taken'],
      'explains a CUR bucket name owned by another account',
      async (expectExplained) => {
        const shown = await explainAwsFailure(
          's3:CreateBucket',
          awsError('BucketAlreadyExists', 'The requested bucket name is not available.', 409),
          'create_cur_bucket',
        );
        expectExplained(shown, 'cur_bucket_name_taken', /bucket names are global/, /cur\.bucketName/);
      },
    );

    itExplains(
      ['cur_settings_refused', 'data_export_settings_refused'],
      'explains CUR refusing the report definition, apart from Data Exports refusing the export',
      async (expectExplained) => {
        const report = await explainAwsFailure(
          'cur:PutReportDefinition',
          awsError('ValidationException', "1 validation error detected: Value 'a b' at 'reportDefinition.reportName'"),
          'define_cost_report',
        );
        expectExplained(report, 'cur_settings_refused', /Cost and Usage Report definition/, /cur\.reportName/);
        const dataExport = await explainAwsFailure(
          'bcm-data-exports:CreateExport',
          awsError('ValidationException', "Value 'a b' at 'export.name' failed to satisfy constraint"),
          'define_data_export',
        );
        expectExplained(dataExport, 'data_export_settings_refused', /CUR 2.0 data export/, /cur\.exportName/);
      },
    );

    itExplains(
      ['cur_report_limit_reached', 'data_export_quota_reached'],
      'explains the report and export quotas',
      async (expectExplained) => {
        const reports = await explainAwsFailure(
          'cur:PutReportDefinition',
          awsError('ReportLimitReachedException', 'Report limit of 5 has been reached.'),
          'define_cost_report',
        );
        expectExplained(reports, 'cur_report_limit_reached', /five/, /Legacy CUR/);
        const exports = await explainAwsFailure(
          'bcm-data-exports:CreateExport',
          awsError('ServiceQuotaExceededException', 'You have reached the maximum number of exports.'),
          'define_data_export',
        );
        expectExplained(exports, 'data_export_quota_reached', /as many data exports/, /Data Exports/);
      },
    );
  });

  describe('what the install itself decides', () => {
    itExplains(
      ['invalid_install_input', 'deprovision_requested'],
      'explains settings out of bounds and a deprovision that overtook verification',
      (expectExplained) => {
        expectExplained(
          describeFailure(
            { code: 'invalid_install_input', message: '/reverifyEvery must be a duration …' },
            'check_input',
          ),
          'invalid_install_input',
          /outside its range/,
          /inside their ranges/,
        );
        expectExplained(
          describeFailure({ code: 'deprovision_requested', message: 'Deprovisioning was requested.' }, 'verify_role'),
          'deprovision_requested',
          /before the submitted role was verified/,
          /start a new install/,
        );
      },
    );
  });

  describe("the runner check-in's identity proof (the API refuses; domain/runner-identity.ts names the code)", () => {
    const refusals: Array<[string, RegExp, RegExp]> = [
      ['runner_proof_missing', /without an identity proof/, /runner-proof/],
      ['runner_proof_malformed', /SigV4-signed POST of sts:GetCallerIdentity/, /send it unchanged/],
      ['runner_proof_wrong_endpoint', /another URL or host/, /regional endpoint/],
      ['runner_proof_wrong_server', /X-Orchestrator-Server-ID/, /this install id/],
      ['runner_proof_expired', /more than 5 minutes/, /NTP/],
      ['runner_proof_signature_invalid', /SignatureDoesNotMatch/, /exactly as it was signed/],
      ['runner_proof_credentials_invalid', /InvalidClientTokenId/, /current credentials/],
      ['runner_proof_unverifiable', /did not give a usable answer/, /AWS_ENDPOINT_URL_STS/],
      ['runner_wrong_account', /another AWS account/, /runner\.expectedIdentity/],
      ['runner_wrong_role', /not a session of the install's runner role/, /runner\.expectedIdentity/],
    ];
    itExplains(
      refusals.map(([code]) => code),
      'explains each refusal of a runner identity proof with its cause and fix',
      (expectExplained) => {
        for (const [code, cause, fix] of refusals) {
          expectExplained(explainError({ code, message: 'refused' }), code, cause, fix);
        }
      },
    );
  });

  describe('rotating the External ID', () => {
    itExplains(
      ['external_id_rotation_pending', 'invalid_rotation_request'],
      'explains a second rotation while one is under way, and rotation settings out of bounds',
      (expectExplained) => {
        expectExplained(
          describeFailure({
            code: 'ExternalIdRotationPending',
            message: 'An External ID rotation is already under way.',
          }),
          'external_id_rotation_pending',
          /already under way/,
          /until it is completed or expired/,
        );
        expectExplained(
          describeFailure({ code: 'InvalidRotationRequest', message: '/expiresAfter must be a duration …' }),
          'invalid_rotation_request',
          /outside its range/,
          /inside their ranges/,
        );
      },
    );
  });

  it('covers every entry of the catalog above', () => {
    expect([...declared].sort()).toEqual([...catalogCodes].sort());
  });

  it('keeps the code of what it does not know and says what AWS answered to which call', () => {
    expect(
      explainError({
        code: 'SomethingNobodyHasSeen',
        awsErrorCode: 'SomethingNobodyHasSeen',
        operation: 's3:PutBucketTagging',
        message: 'x',
      }),
    ).toEqual({
      code: 'SomethingNobodyHasSeen',
      cause: 'AWS answered SomethingNobodyHasSeen to s3:PutBucketTagging.',
      fix: expect.stringMatching(/See the message/),
    });
  });
});
