/**
 * Every error an install can meet, as the customer or operator reads it: a stable code, a one-sentence cause and a
 * fix they can act on. Entries match on what the failure says (its type, AWS's code, the operation, the step and,
 * where one AWS code means several things, the message), most specific first. Shown in the status, the API and the
 * CLI next to AWS's own message.
 */

/** What is known of a failure when it is explained. */
export interface ErrorFacts {
  /** The failure's type: AWS's error code, or one of ours (`RoleNotAssumable`, `external_id_not_enforced`). */
  code: string;
  message: string;
  awsErrorCode?: string;
  /** The AWS operation that failed, e.g. `s3:PutBucketPolicy`. */
  operation?: string;
  /** The install step that was running. */
  step?: string;
}

export interface ErrorExplanation {
  /** Stable and machine-readable: dashboards and alerts may key on it. */
  code: string;
  cause: string;
  fix: string;
}

interface CatalogEntry {
  code: string;
  matches: (facts: ErrorFacts) => boolean;
  cause: string | ((facts: ErrorFacts) => string);
  fix: string;
}

const codeIs =
  (...codes: string[]) =>
  (facts: ErrorFacts) =>
    codes.includes(facts.code) || (facts.awsErrorCode !== undefined && codes.includes(facts.awsErrorCode));

const and =
  (...tests: Array<(facts: ErrorFacts) => boolean>) =>
  (facts: ErrorFacts) =>
    tests.every((test) => test(facts));

const messageSays = (pattern: RegExp) => (facts: ErrorFacts) => pattern.test(facts.message);

const onService = (service: string) => (facts: ErrorFacts) => facts.operation?.startsWith(`${service}:`) === true;

const accessDenied = codeIs('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation');
const kitPolicies = 'Attach the provision and deprovision policies from the onboarding kit to the role';

const catalog: CatalogEntry[] = [
  // Reaching the role.
  {
    code: 'role_not_assumable',
    matches: codeIs('RoleNotAssumable'),
    cause:
      "AWS refused to let the vendor assume the role with this install's External ID: the role does not exist, or its trust policy does not name the vendor with this External ID.",
    fix: "Make the role's trust policy the one in the onboarding kit (the vendor principal, with sts:ExternalId), wait a minute for IAM, then submit the ARN again.",
  },
  {
    code: 'external_id_not_enforced',
    matches: codeIs('external_id_not_enforced'),
    cause:
      'The role can be assumed without the External ID, so anyone who learns its ARN and can act as the vendor could use it for another customer.',
    fix: 'Add the condition StringEquals sts:ExternalId (value from the onboarding kit) to the trust policy, then submit the ARN again.',
  },
  {
    code: 'external_id_not_pinned',
    matches: codeIs('external_id_not_pinned'),
    cause:
      "The role accepts External IDs other than this install's (several values, a StringLike pattern, IfExists or ForAnyValue, or no condition in one of its statements), so the vendor could be led to use it for another customer.",
    fix: "In every statement of the trust policy that allows sts:AssumeRole, use the condition StringEquals sts:ExternalId with this install's External ID as the only value (see the onboarding trust policy), then submit the ARN again.",
  },
  {
    code: 'trust_policy_allows_anyone',
    matches: codeIs('trust_policy_allows_anyone'),
    cause:
      'The trust policy lets any AWS principal assume the role (Principal "*", {"AWS": "*"} or NotPrincipal); an External ID is not a secret that keeps others out.',
    fix: 'Replace the principal with the vendor principal ARN from the onboarding kit, the only principal the trust policy may name, then submit the ARN again.',
  },
  {
    code: 'trust_policy_allows_other_principals',
    matches: codeIs('trust_policy_allows_other_principals'),
    cause:
      'The trust policy lets principals other than the vendor assume the role (another account, an account root, another role or user, a service or a federated identity); the message names them.',
    fix: 'Remove every principal but the vendor principal ARN from the statements that allow sts:AssumeRole (give the others a role of their own), then submit the ARN again.',
  },
  {
    code: 'trust_policy_unverifiable',
    matches: codeIs('trust_policy_unverifiable'),
    cause:
      'The trust policy has a shape the install cannot evaluate (too large, not JSON, or elements outside the policy grammar), so it cannot prove that only the vendor may assume the role.',
    fix: 'Use the trust policy from the onboarding kit unchanged, then submit the ARN again.',
  },
  // OIDC trust mode (domain/oidc-trust.ts): the role trusts the vendor's OIDC issuer, one install's subject.
  {
    code: 'oidc_subject_not_enforced',
    matches: codeIs('oidc_subject_not_enforced'),
    cause: "The role accepted a token for another install's subject, so one install's token could open this role.",
    fix: 'Make the trust policy pin <issuer>:sub with StringEquals to the subject in the onboarding kit (not StringLike), then submit the ARN again.',
  },
  {
    code: 'oidc_audience_not_enforced',
    matches: codeIs('oidc_audience_not_enforced'),
    cause: 'The role accepted a token issued for another audience than sts.amazonaws.com.',
    fix: "Pin <issuer>:aud to sts.amazonaws.com in the trust policy and list only sts.amazonaws.com as the OIDC provider's audience, then submit the ARN again.",
  },
  {
    code: 'oidc_expired_token_accepted',
    matches: codeIs('oidc_expired_token_accepted'),
    cause:
      'AWS accepted an expired token for the role: the endpoint the install talks to is not checking tokens as STS does.',
    fix: 'Tell the vendor: check the STS endpoint the worker uses (AWS_ENDPOINT_URL) and its clock.',
  },
  {
    code: 'oidc_unknown_key_accepted',
    matches: codeIs('oidc_unknown_key_accepted'),
    cause:
      "The role accepted a token signed by a key the vendor's issuer does not publish, so whoever holds that key could open it.",
    fix: "Make the role trust only the vendor's OIDC provider (Principal Federated from the onboarding kit) and check that provider's URL, then submit the ARN again.",
  },
  {
    code: 'oidc_subject_not_pinned',
    matches: codeIs('oidc_subject_not_pinned'),
    cause:
      "The role's trust policy does not pin the token's subject to this install alone (a StringLike, several values, or no condition).",
    fix: 'Use StringEquals <issuer>:sub with the subject from the onboarding kit as its only value in every statement that allows sts:AssumeRoleWithWebIdentity.',
  },
  {
    code: 'oidc_audience_not_pinned',
    matches: codeIs('oidc_audience_not_pinned'),
    cause: "The role's trust policy does not pin the token's audience to sts.amazonaws.com.",
    fix: 'Add StringEquals <issuer>:aud = sts.amazonaws.com to the trust policy (see the onboarding kit).',
  },
  {
    code: 'invalid_identity_token',
    matches: codeIs('InvalidIdentityToken', 'InvalidIdentityTokenException'),
    cause:
      "STS refused the vendor's token: the account has no IAM OIDC provider for the vendor's issuer URL, or the provider's audience is not sts.amazonaws.com, or AWS could not verify the token with the issuer's published keys.",
    fix: "Create the OIDC provider from the onboarding kit (the issuer URL exactly, audience sts.amazonaws.com); if it exists, tell the vendor (its issuer's JWKS may not be reachable over HTTPS).",
  },
  {
    code: 'oidc_issuer_not_configured',
    matches: codeIs('OidcIssuerNotConfigured'),
    cause: 'The install is in OIDC trust mode but the worker that ran it has no OIDC issuer configured.',
    fix: 'Set OIDC_ISSUER_URL and OIDC_SIGNING_KEYS_FILE on every worker (the same keys the API publishes), then retry the install.',
  },
  {
    code: 'trust_policy_unreadable',
    matches: codeIs('trust_policy_unreadable'),
    cause:
      'The role may not read its own trust policy (iam:GetRole), so the install cannot check who else may assume it.',
    fix: `${kitPolicies} (the provision policy grants iam:GetRole on the role), then submit the ARN again.`,
  },
  {
    code: 'role_access_lost',
    matches: codeIs('RoleAccessLost'),
    cause: 'The role worked before and is now refused: it was deleted, or its trust policy was changed.',
    fix: 'Recreate the role from the onboarding kit; the install resumes on its own retry or on re-verification.',
  },
  {
    code: 'identity_mismatch',
    matches: codeIs('IdentityMismatch'),
    cause: 'The role answered as another account or role than the one this install is for.',
    fix: 'Submit the ARN of the role you created in the account this install is for.',
  },
  {
    code: 'vendor_credentials_invalid',
    matches: codeIs('InvalidClientTokenId', 'SignatureDoesNotMatch', 'UnrecognizedClientException'),
    cause:
      "AWS does not recognise the vendor's own credentials: the worker's access key is unknown or deactivated, or its secret is wrong.",
    fix: "Nothing for the customer to do: the operator must fix the worker's AWS credentials, then the ARN can be submitted again.",
  },
  {
    code: 'session_too_long_for_role_chaining',
    matches: and(codeIs('ValidationError'), messageSays(/role chaining/i)),
    cause:
      "The worker itself runs as an assumed role, and AWS limits a session assumed from another role's session (role chaining) to one hour.",
    fix: 'The operator must set CUSTOMER_SESSION_SECONDS to 3600 or less on the workers, or run them as an identity that is not an assumed role.',
  },
  {
    code: 'session_longer_than_role_allows',
    matches: and(codeIs('ValidationError'), messageSays(/MaxSessionDuration/)),
    cause: "The session length the vendor asks for is longer than the role's maximum session duration.",
    fix: "Raise the role's maximum session duration in the IAM console (Roles → the role → Edit), or the operator lowers CUSTOMER_SESSION_SECONDS.",
  },
  {
    code: 'invalid_role_arn',
    // After the session-length entries: STS's ValidationError on AssumeRole means a bad ARN unless they matched.
    matches: (facts) =>
      codeIs('InvalidRoleArn', 'MalformedRoleArn')(facts) ||
      (codeIs('ValidationError')(facts) && facts.operation === 'sts:AssumeRole'),
    cause: 'The submitted text is not the ARN of an IAM role in this install’s account and partition.',
    fix: 'Paste the ARN shown on the role’s page in the IAM console: arn:aws:iam::<account id>:role/<role name>.',
  },
  {
    code: 'sts_region_disabled',
    matches: codeIs('RegionDisabledException'),
    cause: 'AWS STS is deactivated in this region for the account, so the role cannot be assumed there.',
    fix: 'Activate STS for the region in the IAM console (Account settings → Security Token Service endpoints), then submit the ARN again.',
  },
  {
    code: 'missing_permissions',
    matches: codeIs('missing_permissions'),
    cause:
      "The role lacks actions the install needs; the message names each one. The kit's policies let only the role named as the kit names it read its own policies (iam:GetRole and the like), so a role of another name lacks those.",
    fix: `${kitPolicies}, then submit the ARN again; for a role of another name, create it with the kit's name, or grant those iam: actions on its own ARN.`,
  },
  {
    code: 'permissions_lost',
    matches: codeIs('permissions_lost'),
    cause:
      'A re-verification found the role no longer grants actions of the permission version it was verified against: its policies were edited or detached.',
    fix: 'Attach the provision and deprovision policies of that version again (GET /installs/{installId}/permissions names it; the onboarding kit renders the current one); the install recovers at its next re-verification or POST /installs/{installId}/permissions/recheck.',
  },
  {
    code: 'permission_upgrade_required',
    matches: codeIs('permission_upgrade_required'),
    cause:
      "The vendor shipped a newer version of its permission set, which adds actions this install's role does not grant yet; the install keeps working with the permissions it has.",
    fix: 'Apply the updated provision policy from GET /installs/{installId}/permissions (the stack-update link, the AWS CLI or the Terraform there), then POST /installs/{installId}/permissions/recheck, or wait for the next check.',
  },

  {
    code: 'role_policies_too_complex',
    matches: codeIs('RolePoliciesTooComplex'),
    cause:
      "The role's policies are larger than IAM allows, or their wildcards need more matching than the permission check may spend, so they were not evaluated.",
    fix: `${kitPolicies} in place of policies with long runs of * or ? in one action or ARN, then submit the ARN again.`,
  },

  // Policies AWS refuses.
  {
    code: 'cur_bucket_policy_denied',
    matches: and(
      accessDenied,
      (facts) => facts.operation === 's3:PutBucketPolicy' || facts.step === 'apply_cur_bucket_policy',
    ),
    cause: 'AWS refused to set the CUR bucket’s policy (s3:PutBucketPolicy).',
    fix: `${kitPolicies}; if they are attached, a service control policy or permissions boundary denies s3:PutBucketPolicy: allow it for the CUR bucket, then start the install again.`,
  },
  {
    code: 'cur_bucket_policy_malformed',
    matches: and(
      codeIs('MalformedPolicy', 'MalformedPolicyDocument'),
      (facts) => facts.operation?.startsWith('s3:') === true || facts.step === 'apply_cur_bucket_policy',
    ),
    cause:
      'S3 refused the CUR bucket’s policy as invalid, usually because the bucket already had a policy it cannot be merged with.',
    fix: 'Fix or remove the existing policy of the CUR bucket (S3 console → the bucket → Permissions), then start the install again.',
  },
  {
    code: 'policy_document_malformed',
    matches: codeIs('MalformedPolicyDocument', 'MalformedPolicy'),
    cause: 'AWS refused a policy document as malformed.',
    fix: 'Use the policies from the onboarding kit unchanged (edited copies often break the JSON or an ARN), then submit the ARN again.',
  },

  // The sandbox stack.
  {
    code: 'stack_failed',
    matches: codeIs('StackFailed'),
    cause:
      'CloudFormation could not create the sandbox stack and rolled it back; the message names the failing resource.',
    fix: 'Read the failing resource and reason above, fix it in the account (a quota, a name already in use), then start the install again.',
  },
  {
    code: 'sandbox_plan_failed',
    matches: codeIs('ChangeSetFailed'),
    cause: 'CloudFormation could not work out the sandbox’s change set for approval; the message gives its reason.',
    fix: 'Fix what the reason names in the account (a quota, a name already in use), then start the install again.',
  },
  {
    code: 'approved_plan_gone',
    matches: codeIs('ChangeSetGone'),
    cause: 'The approved change set no longer exists: its empty sandbox stack was deleted while the install waited.',
    fix: 'Start the install again and approve its new plan.',
  },
  {
    code: 'stack_needs_deletion',
    matches: codeIs('StackNeedsDeletion'),
    cause:
      'A sandbox stack of this name is left in ROLLBACK_COMPLETE from an earlier attempt, and CloudFormation cannot update it.',
    fix: 'Delete the sandbox stack in the CloudFormation console (it is in ROLLBACK_COMPLETE), then start the install again.',
  },
  {
    code: 'stack_delete_failed',
    matches: codeIs('StackDeleteFailed'),
    cause: 'CloudFormation could not delete some of the sandbox stack’s resources.',
    fix: 'Delete the resources named above by hand, then delete the sandbox stack in the CloudFormation console.',
  },
  {
    code: 'stack_limit_reached',
    matches: and(codeIs('LimitExceededException'), onService('cloudformation')),
    cause: 'The account has reached its CloudFormation stack quota in this region.',
    fix: 'Delete unused stacks or ask AWS for a higher stack quota (Service Quotas → CloudFormation), then start the install again.',
  },
  {
    code: 'sandbox_stack_changed',
    matches: codeIs('sandbox_stack_changed'),
    cause: 'The sandbox stack was deleted or changed outside the install.',
    fix: 'Deprovision this install and start a new one, or restore the stack.',
  },

  // Cost and Usage Reports.
  {
    code: 'cur_bucket_name_taken',
    matches: codeIs('BucketNameTaken', 'BucketAlreadyExists'),
    cause: 'The CUR bucket name is already taken by another AWS account (bucket names are global).',
    fix: 'Choose another CUR bucket name (cur.bucketName) and start the install again.',
  },
  {
    code: 'cur_report_limit_reached',
    matches: codeIs('ReportLimitReachedException'),
    cause: 'The account already has five Cost and Usage Report definitions, the most AWS allows.',
    fix: 'Delete a report definition nobody uses (Billing console → Data Exports → Legacy CUR), then start the install again.',
  },
  {
    code: 'cur_settings_refused',
    matches: and(
      codeIs('ValidationException'),
      (facts) => onService('cur')(facts) || facts.step === 'define_cost_report',
    ),
    cause: 'AWS refused the Cost and Usage Report definition; the message names the setting.',
    fix: 'Check the report name, bucket and prefix (cur.reportName, cur.bucketName, cur.prefix), then start the install again.',
  },
  {
    code: 'data_export_settings_refused',
    matches: and(
      codeIs('ValidationException'),
      (facts) => onService('bcm-data-exports')(facts) || facts.step === 'define_data_export',
    ),
    cause: 'AWS refused the CUR 2.0 data export; the message names the setting.',
    fix: 'Check the export name, bucket and prefix (cur.exportName, cur.bucketName, cur.prefix), then start the install again.',
  },
  {
    code: 'data_export_quota_reached',
    matches: codeIs('ServiceQuotaExceededException'),
    cause: 'The account already has as many data exports as AWS allows.',
    fix: 'Delete a data export nobody uses (Billing console → Data Exports), then start the install again.',
  },
  {
    code: 'cost_report_missing',
    matches: codeIs('cost_report_missing'),
    cause: 'The Cost and Usage Report definition the install created was deleted.',
    fix: 'Deprovision and start the install again to recreate it.',
  },
  {
    code: 'cost_report_changed',
    matches: codeIs('cost_report_changed'),
    cause: 'The Cost and Usage Report definition was edited and no longer says what the install set.',
    fix: 'Restore the settings named above (daily, resource IDs, refresh of closed months) in the Billing console.',
  },
  {
    code: 'data_export_missing',
    matches: codeIs('data_export_missing'),
    cause: 'The CUR 2.0 data export the install created was deleted.',
    fix: 'Deprovision and start the install again to recreate it.',
  },
  {
    code: 'data_export_changed',
    matches: codeIs('data_export_changed'),
    cause: 'The CUR 2.0 data export was edited and no longer says what the install set.',
    fix: 'Restore the settings named above (daily, resource ids, Parquet, the bucket and prefix) in the Billing console.',
  },
  {
    code: 'cur_first_report_overdue',
    matches: codeIs('cur_first_report_overdue'),
    cause: 'AWS has not delivered the first cost report in the time it usually takes.',
    fix: "Check in the Billing console that the report definition exists and that the bucket policy still lets billingreports.amazonaws.com write; a new account's first report can also wait for its first billing data.",
  },

  // Any other refusal names the operation AWS refused.
  {
    code: 'permission_denied',
    matches: accessDenied,
    cause: (facts) => `AWS refused ${facts.operation ?? 'a call the install made'} to the role.`,
    fix: `${kitPolicies}; if they are attached, check that no service control policy or permissions boundary denies the action, then try again.`,
  },

  // Everything else the install decides.
  {
    code: 'invalid_install_input',
    matches: codeIs('invalid_install_input', 'InvalidInstallInput'),
    cause:
      'The install was started with a setting out of bounds (a duration or count outside its range) or a name that is not one literal place (a wildcard, a policy variable, an empty or ".." folder), or an invalid install id; the message names each one, and nothing was created.',
    fix: 'Start the install again with those settings inside their ranges (listed in /openapi.json and the README) and names that follow the rules for cur.prefix, cur.reportName and cur.exportName.',
  },
  {
    code: 'runner_check_in_timed_out',
    matches: codeIs('RunnerCheckInTimedOut'),
    cause: 'The runner did not check in before its registration expired.',
    fix: 'Check that the runner was started with its registration token and can reach the API, then start the install again.',
  },
  // Runner identity attestation (domain/runner-identity.ts): the check-in's refusals.
  {
    code: 'runner_proof_missing',
    matches: codeIs('runner_proof_missing'),
    cause:
      'The runner checked in without an identity proof: a signed sts:GetCallerIdentity request made with its own credentials.',
    fix: 'Build the proof on the runner (`cli runner-proof --install <id>`, or the snippet in the README) and send it as identityProof with the check-in.',
  },
  {
    code: 'runner_proof_malformed',
    matches: codeIs('runner_proof_malformed'),
    cause:
      "The identity proof is not a SigV4-signed POST of sts:GetCallerIdentity (and nothing else), signed over Host and X-Amz-Date, within the proof's size bounds.",
    fix: 'Build the proof with the runner-proof command or the README snippet rather than by hand, and send it unchanged.',
  },
  {
    code: 'runner_proof_wrong_endpoint',
    matches: codeIs('runner_proof_wrong_endpoint'),
    cause:
      "The identity proof is addressed to another URL or host than STS's endpoint for the install's region; the API only ever sends proofs to that endpoint.",
    fix: "Sign the proof for STS's regional endpoint of the install's region (the runner-proof command does), without a query string.",
  },
  {
    code: 'runner_proof_wrong_server',
    matches: codeIs('runner_proof_wrong_server'),
    cause:
      'The identity proof does not sign the X-Orchestrator-Server-ID header, or that header names another install: a proof made for one install is refused by every other.',
    fix: 'Sign the proof with X-Orchestrator-Server-ID set to this install id (runner-proof --install <id>).',
  },
  {
    code: 'runner_proof_expired',
    matches: codeIs('runner_proof_expired'),
    cause:
      "The identity proof's X-Amz-Date is more than 5 minutes from the API's clock (or STS found the signature expired): a replayed or stale proof.",
    fix: "Make a new proof just before checking in, and keep the runner's clock synchronised (NTP).",
  },
  {
    code: 'runner_proof_signature_invalid',
    matches: codeIs('runner_proof_signature_invalid'),
    cause:
      "STS refused the identity proof's signature (SignatureDoesNotMatch or IncompleteSignature): the request was changed after signing, or signed with another secret key.",
    fix: 'Send the proof exactly as it was signed (method, URL, body and every signed header), made with the credentials the runner runs with.',
  },
  {
    code: 'runner_proof_credentials_invalid',
    matches: codeIs('runner_proof_credentials_invalid'),
    cause:
      "STS does not know the identity proof's access key or session token (InvalidClientTokenId, ExpiredToken), or the proof carries no credentials.",
    fix: "Make the proof with the runner's current credentials (a fresh session of the runner role), not cached or revoked ones.",
  },
  {
    code: 'runner_proof_unverifiable',
    matches: codeIs('runner_proof_unverifiable'),
    cause:
      'STS did not give a usable answer to the identity proof (no answer in time, a redirect, or an error of its own); nothing is wrong with the runner that is known.',
    fix: 'Check in again in a minute; if it persists, check that the API reaches STS (AWS_ENDPOINT_URL_STS when set).',
  },
  {
    code: 'runner_wrong_account',
    matches: codeIs('runner_wrong_account'),
    cause: "STS says the runner's credentials belong to another AWS account (or partition) than the install's.",
    fix: "Run the runner in the customer's account with the sandbox's runner role, as the install names it (runner.expectedIdentity in the status).",
  },
  {
    code: 'runner_wrong_role',
    matches: codeIs('runner_wrong_role'),
    cause:
      "STS says the runner is not a session of the install's runner role (another role, a user, or the account root).",
    fix: 'Run the runner with the role named in runner.expectedIdentity in the status (its instance profile, task role or an assumed session of it).',
  },
  {
    code: 'approval_expired',
    matches: codeIs('approval_expired'),
    cause: 'Nobody approved or rejected the plan before the approval expired; nothing was created.',
    fix: 'Start the install again and approve its plan within the approval period (approval.expiresAfter).',
  },
  {
    code: 'deprovision_requested',
    matches: codeIs('deprovision_requested'),
    cause: 'Deprovisioning was asked for before the submitted role was verified, so it was not verified.',
    fix: 'Nothing to do for this install, which is being removed; start a new install to onboard the account again.',
  },
  // Organization installs (workflows/organization-install.ts).
  {
    code: 'management_role_refused',
    matches: codeIs('management_role_refused'),
    cause:
      "AWS refused to let the vendor assume the management role with the organization install's External ID: the role does not exist, or its trust policy does not name the vendor with this External ID.",
    fix: 'Create the management role from the organization install kit (its CloudFormation template or CLI commands) in the management account, wait a minute for IAM, then submit its ARN again.',
  },
  {
    code: 'management_role_without_external_id',
    matches: codeIs('management_role_without_external_id'),
    cause:
      'The management role lets the vendor in without the External ID, so anyone who learns its ARN through the vendor could use it.',
    fix: "Give the role's trust policy the StringEquals sts:ExternalId condition from the kit, then submit its ARN again.",
  },
  {
    code: 'not_management_account',
    matches: codeIs('not_management_account'),
    cause:
      'The role is not in the management account of an AWS Organization, or cannot call organizations:DescribeOrganization: service-managed StackSets run only from the management account.',
    fix: "Create the role in the organization's management account with the kit's policy, and give its account id as managementAccountId.",
  },
  {
    code: 'management_role_not_submitted',
    matches: codeIs('management_role_not_submitted'),
    cause: 'The management role ARN did not arrive before the organization install expired; nothing was created.',
    fix: 'Start the organization install again and submit the management role ARN within roleSubmissionTimeout.',
  },
  {
    code: 'invalid_organization_install',
    matches: codeIs('invalid_organization_install'),
    cause:
      'The organization install was started with an id longer than 23 characters, no or too many OU ids, an id that is not ou-… or r-…, or a setting out of its range; nothing was created.',
    fix: 'Start it again with an id of at most 23 characters, 1 to 20 OU or root ids, and settings inside the ranges in the README.',
  },
  {
    code: 'stack_set_trusted_access_disabled',
    matches: and(onService('cloudformation'), messageSays(/organizations access|trusted access/i)),
    cause:
      'CloudFormation StackSets cannot deploy to the organization: trusted access for StackSets is not turned on in AWS Organizations.',
    fix: 'In the management account, turn on trusted access (CloudFormation console, StackSets, "Activate trusted access", or the first CLI command in the kit); the next re-sync deploys.',
  },
  {
    code: 'stack_set_operation_failed',
    matches: codeIs('StackSetOperationFailed'),
    cause:
      'The StackSet operation that creates or deletes the member install role failed in more accounts than its failure tolerance allows.',
    fix: "Read the failed stack instances' status reasons in the management account's StackSet console, fix them (often a role of the same name already there), and start again.",
  },
  {
    code: 'too_many_member_accounts',
    matches: codeIs('TooManyMemberAccounts', 'TooManyOrganizationalUnits'),
    cause:
      'The chosen OUs hold more accounts (or more OUs below them) than one organization install keeps (200 accounts, 100 OUs).',
    fix: 'Split the organization into several organization installs, each with fewer OUs.',
  },
  {
    code: 'external_id_rotation_pending',
    matches: codeIs('external_id_rotation_pending', 'ExternalIdRotationPending'),
    cause: 'An External ID rotation is already under way for this install; one runs at a time.',
    fix: 'Follow externalIdRotation in the install status until it is completed or expired, then ask again.',
  },
  {
    code: 'invalid_rotation_request',
    matches: codeIs('invalid_rotation_request', 'InvalidRotationRequest'),
    cause: 'A setting of the External ID rotation request (expiresAfter, pollEvery) is outside its range.',
    fix: 'Send durations inside their ranges (expiresAfter 1 hour to 30 days, pollEvery 1 minute to 1 hour), or omit them for the defaults.',
  },
  {
    code: 'aws_timeout',
    matches: codeIs('Timeout'),
    cause: 'AWS did not answer in time, through every retry.',
    fix: 'Start the install again; if it recurs, check the AWS service health for the region.',
  },
];

/**
 * Explains a failure. Anything the catalog does not know keeps its own code and says what AWS answered.
 *
 * @example
 * explainError({ code: 'ValidationError', awsErrorCode: 'ValidationError', operation: 'sts:AssumeRole',
 *   message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.' })
 * // → { code: 'session_too_long_for_role_chaining', cause: 'The worker itself runs as an assumed role…', fix: '…' }
 */
export function explainError(facts: ErrorFacts): ErrorExplanation {
  const entry = catalog.find((candidate) => candidate.matches(facts));
  if (!entry) {
    const answered = facts.awsErrorCode ? `AWS answered ${facts.awsErrorCode}` : 'The install stopped on an error';
    return {
      code: facts.code,
      cause: `${answered}${facts.operation ? ` to ${facts.operation}` : ''}.`,
      fix: 'See the message; if it names an AWS permission, attach the onboarding kit policies and try again.',
    };
  }
  return {
    code: entry.code,
    cause: typeof entry.cause === 'function' ? entry.cause(facts) : entry.cause,
    fix: entry.fix,
  };
}

export const catalogCodes: readonly string[] = catalog.map((entry) => entry.code);
