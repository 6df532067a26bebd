import type { OidcTokenProbe } from '../../domain/oidc-trust';
import { ApplicationFailure } from '@temporalio/common';
import type { InstallActivities } from '../../activities';

export type ActivityCalls = Array<{ name: keyof InstallActivities; input: unknown }>;

/**
 * Every activity answering as AWS would on a good day, recording its calls; a test replaces the ones it is about.
 * For fast workflow-logic tests on the real dev server; the integration tests use the real activities.
 */
export function mockActivities(overrides: Partial<InstallActivities> = {}): {
  activities: InstallActivities;
  calls: ActivityCalls;
} {
  const calls: ActivityCalls = [];
  const defaults: InstallActivities = {
    prepareOnboarding: async ({ installId }) => ({
      externalId: 'f'.repeat(48),
      vendorPrincipalArn: 'arn:aws:iam::123456789012:user/vendor',
      roleTemplateUrl: `http://templates.test/${installId}/role-template.json`,
    }),
    // No webhook endpoints: the run hands over no event (workflows/install-events.ts).
    readInputLimits: async () => ({ durationFloor: 'development' as const, subscribedEventTypes: [] }),
    sendRoleReminder: async () => undefined,
    verifyRoleAccess: async ({ access }) => ({
      assumedRoleArn: `arn:aws:sts::111111111111:assumed-role/${access.roleArn.split('/').pop()}/s`,
      accountId: '111111111111',
    }),
    probeRoleWithoutExternalId: async () => ({ withoutExternalId: 'refused' as const }),
    probeRoleWithWrongExternalId: async () => ({ withWrongExternalId: 'refused' as const }),
    probeRoleWithToken: async (input: { probe: OidcTokenProbe }) => ({
      probe: input.probe,
      result: 'refused' as const,
    }),
    checkRoleTrustPolicy: async () => ({ findings: [] }),
    checkRolePermissions: async () => ({ missing: [], conditional: [] }),
    checkPermissionUpgrade: async ({ version }) => ({
      version,
      current: version,
      missing: [],
      conditional: [],
      added: [],
      addedMissing: [],
      addedConditional: [],
    }),
    deploySandboxStack: async ({ stackName }) => ({
      stackId: `arn:aws:cloudformation:us-east-1:111111111111:stack/${stackName}/1`,
      operation: 'create' as const,
    }),
    createSandboxChangeSet: async ({ stackName }) => ({
      changeSetId: `arn:aws:cloudformation:us-east-1:111111111111:changeSet/${stackName}/1`,
      stackId: `arn:aws:cloudformation:us-east-1:111111111111:stack/${stackName}/1`,
    }),
    waitForSandboxChangeSet: async () => ({
      changes: [
        { action: 'Add', logicalResourceId: 'RunnerArtifacts', resourceType: 'AWS::S3::Bucket' },
        { action: 'Add', logicalResourceId: 'RunnerJobs', resourceType: 'AWS::SQS::Queue' },
      ],
    }),
    executeSandboxChangeSet: async () => undefined,
    waitForSandboxStack: async () => ({ stackStatus: 'CREATE_COMPLETE', outputs: {} }),
    inspectSandboxStack: async () => ({ stackStatus: 'CREATE_COMPLETE' }),
    deleteSandboxStack: async () => undefined,
    waitForSandboxStackDeletion: async () => undefined,
    ensureCurBucket: async () => ({ createdByInstall: true }),
    applyCurBucketPolicy: async () => undefined,
    defineCostReport: async () => ({ result: 'created' as const }),
    inspectCostReport: async () => ({ present: true, differences: [] }),
    findReportManifest: async () => ({}),
    defineDataExport: async ({ definition }) => ({
      exportArn: `arn:aws:bcm-data-exports:us-east-1:111111111111:export/${definition.Name}-1`,
      result: 'created' as const,
    }),
    inspectDataExport: async () => ({ present: true, differences: [] }),
    deleteDataExport: async () => ({ deleted: true }),
    deleteCostReport: async () => ({ deleted: true }),
    emptyCurPrefix: async () => ({ deletedObjects: 0 }),
    removeCurBucketPolicy: async () => undefined,
    deleteCurBucket: async () => ({ deleted: true }),
    issueRunnerRegistration: async () => ({ registrationId: 'reg-1', tokenSha256: 'a'.repeat(64) }),
    // No webhook endpoints: the first event learns that nothing is subscribed, and the run hands over no other
    // (test/integration/webhooks.test.ts uses real endpoints).
    publishInstallEvent: async () => ({ endpoints: 0, subscribed: [] }),
    deliverWebhook: async () => ({ status: 'skipped' as const }),
    verifyManagementRole: async () => ({
      verified: true,
      assumedRoleArn: 'arn:aws:sts::222222222222:assumed-role/m/s',
      organizationId: 'o-test',
    }),
    deployMemberStackSet: async ({ organizationInstallId }) => ({
      stackSetName: `install-${organizationInstallId}-members`,
    }),
    listOrganizationMembers: async () => ({ accountIds: [] }),
    readMemberPhases: async ({ installIds }) => installIds.map((installId) => ({ installId, phase: 'active' })),
    removeMemberStackSet: async () => undefined,
    createExternalId: async () => ({ externalId: 'e'.repeat(48) }),
    tryExternalId: async () => ({ outcome: 'refused' as const }),
  };
  const merged = { ...defaults, ...overrides };
  const recorded = Object.fromEntries(
    Object.entries(merged).map(([name, activity]) => [
      name,
      async (input: unknown) => {
        calls.push({ name: name as keyof InstallActivities, input });
        return (activity as (input: unknown) => Promise<unknown>)(input);
      },
    ]),
  ) as InstallActivities;
  return { activities: recorded, calls };
}

export function permanentFailure(message: string, type: string): () => Promise<never> {
  return async () => {
    throw ApplicationFailure.nonRetryable(message, type);
  };
}
