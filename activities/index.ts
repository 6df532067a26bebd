import { createCostReportActivities } from './cost-report';
import { createDataExportActivities } from './data-export';
import type { ActivityDeps } from './deps';
import { createExternalIdRotationActivities } from './external-id-rotation';
import { createOnboardingActivities } from './onboarding';
import { createOrganizationActivities } from './organization';
import { createRunnerActivities } from './runner';
import { createSandboxActivities } from './sandbox';
import { createSandboxChangeSetActivities } from './sandbox-change-set';
import { createVerifyRoleActivities } from './verify-role';
import { createWebhookActivities } from './webhooks';

export type { ActivityDeps } from './deps';

/**
 * Every activity the install workflow calls, bound to its dependencies.
 *
 * @example
 * const aws = createAwsClientFactory({ region: 'us-east-1' });
 * const activities = createActivities({ aws, sessions: new CustomerSessions(aws), ... });
 * await Worker.create({ activities, taskQueue: defaultTaskQueue, ... });
 */
export const createActivities = (deps: ActivityDeps) => ({
  ...createOnboardingActivities(deps),
  ...createVerifyRoleActivities(deps),
  ...createSandboxActivities(deps),
  ...createSandboxChangeSetActivities(deps),
  ...createCostReportActivities(deps),
  ...createDataExportActivities(deps),
  ...createRunnerActivities(deps),
  ...createWebhookActivities(deps),
  ...createOrganizationActivities(deps),
  ...createExternalIdRotationActivities(deps),
});

export type InstallActivities = ReturnType<typeof createActivities>;
