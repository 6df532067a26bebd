import type { Client, WorkflowHandle } from '@temporalio/client';
import { renderOnboardingArtifacts, type OnboardingArtifacts } from '../domain/onboarding-artifacts';
import { deriveRunnerToken, sha256Hex } from '../security/runner-token';
import {
  getStatusQuery,
  runnerCheckInUpdate,
  submitRoleArnUpdate,
  type InstallInput,
  type InstallPhase,
  type InstallStatus,
} from '../workflows/definitions';
import { installWorkflow } from '../workflows';
import { createCustomerRole, customerAccount, runnerTokenKey, uniqueInstallId, waitUntil } from './helpers';

/** Inputs with every wait short enough for a test. */
export function testInstallInput(label: string, overrides: Partial<InstallInput> = {}): InstallInput {
  const installId = uniqueInstallId(label);
  return {
    installId,
    orgId: 'org-test',
    awsAccountId: customerAccount.accountId,
    region: 'us-east-1',
    timeouts: {
      rolePropagation: '5 seconds',
      runnerCheckIn: '30 seconds',
      roleSubmission: '5 minutes',
      roleReminder: '4 minutes',
    },
    ...overrides,
  };
}

export async function startInstall(
  client: Client,
  taskQueue: string,
  input: InstallInput,
): Promise<WorkflowHandle<typeof installWorkflow>> {
  return client.workflow.start(installWorkflow, { workflowId: input.installId, taskQueue, args: [input] });
}

export function installStatus(handle: WorkflowHandle<typeof installWorkflow>): Promise<InstallStatus> {
  return handle.query(getStatusQuery);
}

export function waitForPhase(
  handle: WorkflowHandle<typeof installWorkflow>,
  phase: InstallPhase,
  timeoutMs = 60_000,
): Promise<InstallStatus> {
  return waitUntil(
    () => installStatus(handle),
    (status) => status.phase === phase,
    timeoutMs,
  );
}

/** The onboarding page's content, once the workflow has created the External ID. */
export async function onboardingArtifacts(
  handle: WorkflowHandle<typeof installWorkflow>,
  input: InstallInput,
): Promise<OnboardingArtifacts> {
  const status = await waitUntil(
    () => installStatus(handle),
    (s) => s.onboarding !== undefined,
  );
  return renderOnboardingArtifacts({
    install: input,
    ...status.onboarding!,
    permissionsBoundary: status.permissionsBoundary,
  });
}

/** The runner's part: check in with the token the vendor derived for its registration. */
export async function checkInRunner(handle: WorkflowHandle<typeof installWorkflow>, installId: string): Promise<void> {
  const status = await waitUntil(
    () => installStatus(handle),
    (s) => s.phase === 'handing_off' && s.runner !== undefined,
  );
  const registrationId = status.runner!.registrationId;
  const token = deriveRunnerToken(runnerTokenKey, installId, registrationId);
  await handle.executeUpdate(runnerCheckInUpdate, {
    args: [{ registrationId, tokenSha256: sha256Hex(token), runnerId: `runner-${installId}` }],
  });
}

/** The whole happy onboarding, customer and runner included, until the install is active. */
export async function onboardUntilActive(
  client: Client,
  taskQueue: string,
  input: InstallInput,
): Promise<{ handle: WorkflowHandle<typeof installWorkflow>; active: InstallStatus }> {
  const handle = await startInstall(client, taskQueue, input);
  const roleArn = await createCustomerRole(await onboardingArtifacts(handle, input));
  await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
  await checkInRunner(handle, input.installId);
  return { handle, active: await waitForPhase(handle, 'active') };
}

/**
 * Submits a role ARN the install must refuse: the update answers unverified with `code`, and the install waits for
 * the role again. Returns the status it shows then, for the test's own checks of what was found.
 */
export async function expectRoleRefused(
  handle: WorkflowHandle<typeof installWorkflow>,
  roleArn: string,
  code: string,
): Promise<InstallStatus> {
  const outcome = await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
  expect(outcome).toMatchObject({ verified: false, phase: 'awaiting_role', error: { code } });
  return waitForPhase(handle, 'awaiting_role');
}
