/**
 * What a person can do about each error an install can meet, keyed by the stable code the status carries (an AWS
 * error code or one of ours). Shown in the status, the API and the CLI next to the message.
 */
const fixes: Record<string, string> = {
  RoleNotAssumable:
    "Make the role's trust policy the one in the onboarding kit (the vendor principal, with sts:ExternalId), wait a minute for IAM, then submit the ARN again.",
  AccessDenied:
    'Attach the provision and deprovision policies from the onboarding kit to the role, then submit the ARN again.',
  AccessDeniedException:
    'Attach the provision and deprovision policies from the onboarding kit to the role, then submit the ARN again.',
  external_id_not_enforced:
    'Add the condition StringEquals sts:ExternalId (value from the onboarding kit) to the trust policy, then submit the ARN again.',
  sandbox_stack_changed:
    'The sandbox stack was deleted or changed outside the install: deprovision this install and start a new one, or restore the stack.',
  cost_report_missing:
    'The Cost and Usage Report definition was deleted in the Billing console: deprovision and start the install again to recreate it.',
  cost_report_changed:
    'The Cost and Usage Report definition was edited: restore the settings named above (daily, resource IDs, refresh of closed months) in the Billing console.',
  data_export_missing:
    'The CUR 2.0 data export was deleted in the Billing console: deprovision and start the install again to recreate it.',
  data_export_changed:
    'The CUR 2.0 data export was edited: restore the settings named above (daily, resource ids, Parquet, the bucket and prefix) in the Billing console.',
  cur_first_report_overdue:
    "Check in the Billing console that the report definition exists and that the bucket policy still lets billingreports.amazonaws.com write; a new account's first report can also wait for its first billing data.",
  missing_permissions:
    'Attach the provision and deprovision policies from the onboarding kit to the role, then submit the ARN again.',
  IdentityMismatch: 'Submit the ARN of the role you created in the account this install is for.',
  InvalidRoleArn:
    'Paste the ARN shown on the role’s page in the IAM console: arn:aws:iam::<account id>:role/<role name>.',
  MalformedRoleArn:
    'Paste the ARN shown on the role’s page in the IAM console: arn:aws:iam::<account id>:role/<role name>.',
  RoleAccessLost:
    'The role was deleted or its trust policy changed: recreate it from the onboarding kit; the install resumes on its own retry or on re-verification.',
  InvalidClientTokenId: "The vendor's own AWS credentials are invalid: the operator must fix the worker's credentials.",
  StackFailed:
    'Read the failing resource and reason above, fix it in the account (a quota, a name already in use), then start the install again.',
  StackNeedsDeletion:
    'Delete the sandbox stack in the CloudFormation console (it is in ROLLBACK_COMPLETE), then start the install again.',
  StackDeleteFailed:
    'Delete the resources named above by hand, then delete the sandbox stack in the CloudFormation console.',
  BucketNameTaken: 'Choose another CUR bucket name (cur.bucketName) and start the install again.',
  ValidationException:
    'The Cost and Usage Report settings were refused: check the report name, bucket and prefix, then start the install again.',
  MalformedPolicy:
    'The bucket already has a policy AWS cannot merge with: fix or remove it, then start the install again.',
  RunnerCheckInTimedOut:
    'Check that the runner was started with its registration token and can reach the API, then start the install again.',
  Timeout:
    'AWS did not answer in time; the install stopped here. Start it again; if it recurs, check the AWS service health.',
};

const fallback = 'See the message; if it names an AWS permission, attach the onboarding kit policies and try again.';

export function fixFor(code: string): string {
  return fixes[code] ?? fallback;
}

export const cataloguedCodes = Object.keys(fixes);
