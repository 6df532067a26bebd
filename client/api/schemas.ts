import { costReportNameLimits, costReportNamePatterns } from '../../domain/cost-report-names';
import { describeDurationRange, durationBounds, durationPattern, type DurationField } from '../../domain/durations';
import { installIdPattern } from '../../domain/install-names';
import { permissionsBoundaryLimits } from '../../domain/permissions-boundary';
import { runnerProofLimits } from '../../domain/runner-identity';
import { maxOrganizationInstallIdLength, organizationInstallBounds } from '../../domain/organization-install';
import { restingPhases } from '../../workflows/definitions';

// Every body is closed (additionalProperties: false) and bounded, so a typo or an oversized field is a 400.
// A duration's shape is checked here; its range (domain/durations.ts) by the route, against the deployment's floor.
function duration(field: DurationField) {
  return {
    type: 'string',
    pattern: durationPattern,
    maxLength: 40,
    description: `A duration ${describeDurationRange(field)} in production, e.g. "${durationBounds[field].min}".`,
  } as const;
}

const curName = (field: keyof typeof costReportNamePatterns) =>
  ({
    type: 'string',
    minLength: 1,
    maxLength: costReportNameLimits[field],
    pattern: costReportNamePatterns[field].source,
  }) as const;

export const installIdParam = {
  type: 'object',
  required: ['installId'],
  properties: {
    installId: { type: 'string', pattern: installIdPattern.source, maxLength: 40, examples: ['acme-prod'] },
  },
} as const;

// Request examples: schemathesis sends them first, and a reader of the document sees a request that works.
const exampleRoleArn = 'arn:aws:iam::123456789012:role/acme-prod-install-access';

export const startInstallBody = {
  type: 'object',
  additionalProperties: false,
  required: ['orgId', 'awsAccountId', 'region'],
  examples: [
    { installId: 'acme-prod', orgId: 'acme', awsAccountId: '123456789012', region: 'us-east-1' },
    {
      installId: 'acme-prod-approved',
      orgId: 'acme',
      awsAccountId: '123456789012',
      region: 'eu-west-1',
      cur: { kind: 'cur2', bucketOnDeprovision: 'retain' },
      approval: { required: true, expiresAfter: '7 days' },
      timeouts: { roleSubmission: '14 days' },
    },
  ],
  properties: {
    installId: {
      type: 'string',
      pattern: installIdPattern.source,
      maxLength: 40,
      description: 'Client-chosen id; repeating a start with it returns the same install.',
    },
    orgId: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' },
    awsAccountId: { type: 'string', pattern: '^\\d{12}$' },
    region: { type: 'string', pattern: '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d$' },
    sandbox: {
      type: 'object',
      additionalProperties: false,
      properties: {
        template: { type: 'string', enum: ['runner-minimal'] },
        parameters: {
          type: 'object',
          additionalProperties: false,
          properties: { JobVisibilityTimeout: { type: 'string', pattern: '^\\d{1,5}$' } },
        },
      },
    },
    cur: {
      type: 'object',
      additionalProperties: false,
      properties: {
        // The rules of domain/cost-report-names.ts: each name is one literal place in policies, keys and scripts.
        bucketName: curName('bucketName'),
        prefix: curName('prefix'),
        reportName: curName('reportName'),
        kind: { type: 'string', enum: ['legacy', 'cur2', 'both'] },
        exportName: curName('exportName'),
        format: { type: 'string', enum: ['textORcsv', 'Parquet'] },
        versioning: { type: 'string', enum: ['CREATE_NEW_REPORT', 'OVERWRITE_REPORT'] },
        bucketOnDeprovision: { type: 'string', enum: ['delete', 'retain'] },
        firstReport: {
          type: 'object',
          additionalProperties: false,
          properties: {
            watch: { type: 'boolean' },
            pollEvery: duration('cur.firstReport.pollEvery'),
            overdueAfter: duration('cur.firstReport.overdueAfter'),
          },
        },
      },
    },
    timeouts: {
      type: 'object',
      additionalProperties: false,
      properties: {
        roleSubmission: duration('timeouts.roleSubmission'),
        onboardingCallback: duration('timeouts.onboardingCallback'),
        roleReminder: duration('timeouts.roleReminder'),
        rolePropagation: duration('timeouts.rolePropagation'),
        sandboxStack: duration('timeouts.sandboxStack'),
        runnerCheckIn: duration('timeouts.runnerCheckIn'),
      },
    },
    keepResourcesOnFailure: { type: 'boolean' },
    permissionsBoundary: {
      type: 'string',
      minLength: 1,
      maxLength: permissionsBoundaryLimits.arn,
      description:
        "ARN of a managed policy in the install's account (or AWS's) that the onboarding kit sets as the role's permissions boundary.",
    },
    trust: {
      type: 'string',
      enum: ['external-id', 'oidc'],
      description:
        "How the vendor reaches the role: sts:AssumeRole with the External ID (default), or OIDC (AssumeRoleWithWebIdentity with the orchestrator's tokens; no vendor AWS keys).",
    },
    approval: {
      type: 'object',
      additionalProperties: false,
      required: ['required'],
      properties: { required: { type: 'boolean', const: true }, expiresAfter: duration('approval.expiresAfter') },
    },
    reverifyEvery: duration('reverifyEvery'),
  },
} as const;

export const roleArnBody = {
  type: 'object',
  additionalProperties: false,
  required: ['roleArn'],
  examples: [{ roleArn: exampleRoleArn, waitSeconds: 1 }],
  properties: {
    roleArn: { type: 'string', minLength: 1, maxLength: 2048 },
    waitSeconds: {
      type: 'integer',
      minimum: 0,
      maximum: 60,
      description: 'How long to wait for the verification outcome.',
    },
  },
} as const;

export const runnerCheckInBody = {
  type: 'object',
  additionalProperties: false,
  required: ['registrationId', 'token', 'runnerId'],
  examples: [{ registrationId: '9b1d2c3e4f5a6b7c', token: 'the-token-from-the-registration', runnerId: 'runner-1' }],
  properties: {
    registrationId: { type: 'string', pattern: '^[0-9a-f]{1,64}$' },
    token: { type: 'string', minLength: 1, maxLength: 256 },
    runnerId: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
    identityProof: {
      type: 'object',
      description:
        "A SigV4-signed sts:GetCallerIdentity request made with the runner's own credentials and not sent (see the " +
        "README's runner section, or `cli runner-proof`); the API sends it to STS and accepts only the install's " +
        'runner role in the customer account.',
      additionalProperties: false,
      required: ['method', 'url', 'body', 'headers'],
      properties: {
        method: { type: 'string', maxLength: runnerProofLimits.method },
        url: { type: 'string', maxLength: runnerProofLimits.url },
        body: { type: 'string', maxLength: runnerProofLimits.body },
        headers: {
          type: 'object',
          maxProperties: runnerProofLimits.headers,
          propertyNames: { maxLength: runnerProofLimits.headerName },
          additionalProperties: { type: 'string', maxLength: runnerProofLimits.headerValue },
        },
      },
    },
  },
} as const;

export const deprovisionBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  examples: [{ reason: 'The contract ended.' }],
  properties: { reason: { type: 'string', maxLength: 500 } },
} as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    phase: {
      type: 'string',
      enum: [...restingPhases],
      description:
        'A phase where installs rest (wait on someone outside, or have ended). An install busy between two of them ' +
        '(verifying, provisioning, tearing down) is listed under the one before; its status has the live phase.',
    },
    awsAccountId: { type: 'string', pattern: '^\\d{12}$' },
    orgId: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
  },
} as const;

export const approvalBody = {
  type: 'object',
  additionalProperties: false,
  required: ['approve'],
  examples: [{ approve: true, by: 'ops@acme.example', reason: 'Reviewed the change set.' }],
  properties: {
    approve: { type: 'boolean' },
    by: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'Who the caller decides for (free text, recorded as onBehalfOf); decidedBy is the API key id.',
    },
    reason: { type: 'string', maxLength: 500 },
  },
} as const;

export const onboardingCallbackBody = {
  type: 'object',
  additionalProperties: false,
  required: ['roleArn', 'stackId'],
  examples: [
    {
      roleArn: exampleRoleArn,
      stackId:
        'arn:aws:cloudformation:us-east-1:123456789012:stack/acme-prod-access/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
    },
  ],
  properties: {
    roleArn: { type: 'string', minLength: 1, maxLength: 2048 },
    stackId: {
      type: 'string',
      pattern: '^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:\\d{12}:stack/[A-Za-z][A-Za-z0-9-]{0,127}/[0-9a-f-]{36}$',
      maxLength: 2048,
    },
  },
} as const;

export const organizationInstallIdParam = {
  type: 'object',
  required: ['organizationInstallId'],
  properties: {
    organizationInstallId: {
      type: 'string',
      pattern: installIdPattern.source,
      maxLength: maxOrganizationInstallIdLength,
      examples: ['acme-org'],
    },
  },
} as const;

const organizationDuration = (description: string) =>
  ({ type: 'string', pattern: durationPattern, maxLength: 40, description }) as const;

export const startOrganizationInstallBody = {
  type: 'object',
  additionalProperties: false,
  required: ['orgId', 'managementAccountId', 'region', 'organizationalUnitIds'],
  examples: [
    {
      organizationInstallId: 'acme-org',
      orgId: 'acme',
      managementAccountId: '123456789012',
      region: 'us-east-1',
      organizationalUnitIds: ['ou-ab12-cdef3456'],
    },
  ],
  properties: {
    organizationInstallId: {
      type: 'string',
      pattern: installIdPattern.source,
      maxLength: maxOrganizationInstallIdLength,
      description: 'Client-chosen id (member installs are <id>-<account id>); repeating a start returns the same one.',
    },
    orgId: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' },
    managementAccountId: { type: 'string', pattern: '^\\d{12}$' },
    region: { type: 'string', pattern: '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d$' },
    organizationalUnitIds: {
      type: 'array',
      minItems: 1,
      maxItems: organizationInstallBounds.maxOrganizationalUnits,
      uniqueItems: true,
      items: { type: 'string', maxLength: 68, pattern: '^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$' },
    },
    failureTolerancePercentage: { type: 'integer', minimum: 0, maximum: 100 },
    resyncInterval: organizationDuration('How often the OUs are listed again: 1 minute to 7 days, 6 hours by default.'),
    memberPollInterval: organizationDuration(
      "How often members' phases are read: 1 second to 1 hour, 1 minute by default.",
    ),
    roleSubmissionTimeout: organizationDuration('How long the customer has to create the management role (7 days).'),
    maxAccounts: { type: 'integer', minimum: 1, maximum: organizationInstallBounds.maxAccounts },
  },
} as const;

export const managementRoleArnBody = {
  type: 'object',
  additionalProperties: false,
  required: ['roleArn'],
  examples: [{ roleArn: 'arn:aws:iam::123456789012:role/install-acme-org-management' }],
  properties: { roleArn: { type: 'string', minLength: 1, maxLength: 2048 } },
} as const;
