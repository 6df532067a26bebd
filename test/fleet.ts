import type { OnboardingArtifacts } from '../domain/onboarding-artifacts';
import type { InstallStatus } from '../workflows/definitions';
import type { TestApi } from './api-server';
import { installsCensus, type InstallsCensus } from './customer-account';
import { createCustomerRole, customerAccount, testClient, waitUntil } from './helpers';
import { runnerProof } from './runner-proof';

/**
 * Many installs driven through the API as a vendor and its customers would, for the load and fault suites: every
 * install onboarded to `active`, then every one deprovisioned, with a census of the customer account in between
 * and after. A fault test hooks `onStep` to strike while the fleet is in flight.
 */
export type FleetStep = 'started' | 'verified' | 'active' | 'deprovisioned';

export interface FleetOptions {
  /** Installs driven at once. */
  inFlight: number;
  /** Called as each install passes a step; a fault test counts these to know when to strike. */
  onStep?: (step: FleetStep, installId: string) => void;
  /** How long one install may take for one step; faults slow things down. */
  stepTimeoutMs?: number;
}

async function inBatches<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/**
 * What a stuck install's workflow is doing, for the failure message: each pending activity with its attempt and last
 * failure, so a CI log says which call hung or kept failing rather than only the phase.
 */
async function pendingWork(installId: string): Promise<string> {
  try {
    const described = await (await testClient()).workflow.getHandle(installId).describe();
    const pending = (described.raw.pendingActivities ?? []).map((activity) => ({
      activity: activity.activityType?.name,
      state: activity.state,
      attempt: activity.attempt,
      lastFailure: activity.lastFailure?.message,
      lastHeartbeatTime: activity.lastHeartbeatTime?.seconds?.toString(),
      lastStartedTime: activity.lastStartedTime?.seconds?.toString(),
      lastWorker: activity.lastWorkerIdentity,
    }));
    return JSON.stringify({ status: described.status.name, historyLength: described.historyLength, pending });
  } catch (error) {
    return `(describe failed: ${String(error)})`;
  }
}

/** `waitUntil`, whose failure also names the install's pending work. */
async function waitForInstall<T>(
  installId: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  try {
    return await waitUntil(read, done, timeoutMs);
  } catch (error) {
    throw new Error(`${installId}: ${(error as Error).message}; workflow: ${await pendingWork(installId)}`);
  }
}

function phaseOf(response: { body: { install?: InstallStatus } }): string | undefined {
  return response.body.install?.phase;
}

/** Starts every install (all live at once), then takes each through role, verification and runner to `active`. */
export async function onboardFleet(api: TestApi, ids: string[], options: FleetOptions): Promise<void> {
  const timeout = options.stepTimeoutMs ?? 120_000;
  await inBatches(ids, options.inFlight, async (installId) => {
    const started = await api.call('POST', '/installs', {
      installId,
      orgId: 'org-fleet',
      awsAccountId: customerAccount.accountId,
      region: 'us-east-1',
      timeouts: { rolePropagation: '2 minutes', runnerCheckIn: '10 minutes' },
    });
    if (started.status !== 201) throw new Error(`POST /installs ${installId}: ${started.status}`);
    options.onStep?.('started', installId);
  });
  await inBatches(ids, options.inFlight, async (installId) => {
    const path = `/installs/${installId}`;
    const kit = (await api.call('GET', `${path}/onboarding`)).body as OnboardingArtifacts;
    const roleArn = await createCustomerRole(kit);
    // The API answers 202 when verification outlasts the wait (a fault slowed it): the status tells the outcome.
    await api.call('POST', `${path}/role-arn`, { roleArn, waitSeconds: 60 });
    // As a runner does: a registration read from state Temporal then failed to commit (a PostgreSQL restart can fail
    // the workflow task that made it) is issued anew, and the install refuses the old one (409 while it is not yet
    // handing off again, 401 once the new one is out): read the registration again and retry.
    let verifiedSeen = false;
    const checkIn = await waitForInstall(
      installId,
      async () => {
        const registration = await api.call('GET', `${path}/runner/registration`);
        if (registration.status !== 200) return registration;
        if (!verifiedSeen) options.onStep?.('verified', installId);
        verifiedSeen = true;
        const { registrationId, token } = registration.body as { registrationId: string; token: string };
        // The runner role's session proves who the runner is (made afresh each try: a proof lives 5 minutes).
        const { install } = (await api.call('GET', path)).body as { install: InstallStatus };
        const identityProof = await runnerProof(installId, install.runner!.expectedIdentity);
        return api.call('POST', `${path}/runner/check-in`, { registrationId, token, runnerId: 'fleet', identityProof });
      },
      (response) => response.status === 200 || ![401, 404, 409, 503].includes(response.status),
      timeout,
    );
    if (checkIn.status !== 200)
      throw new Error(`check-in ${installId}: ${checkIn.status} ${JSON.stringify(checkIn.body)}`);
    await waitForInstall(
      installId,
      () => api.call('GET', path),
      (response) => phaseOf(response) === 'active',
      timeout,
    );
    options.onStep?.('active', installId);
  });
}

/**
 * Deprovisions every install; returns each one's outcome as `phase:leftovers`, `deprovisioned:0` when it ended
 * cleanly.
 */
export async function deprovisionFleet(
  api: TestApi,
  ids: string[],
  options: FleetOptions,
): Promise<Map<string, string>> {
  const outcome = new Map<string, string>();
  await inBatches(ids, options.inFlight, async (installId) => {
    const path = `/installs/${installId}`;
    const requested = await api.call('POST', `${path}/deprovision`, {});
    if (requested.status !== 202) throw new Error(`deprovision ${installId}: ${requested.status}`);
    const final = await waitForInstall(
      installId,
      () => api.call('GET', path),
      (response) => phaseOf(response) === 'deprovisioned' || phaseOf(response) === 'failed',
      options.stepTimeoutMs ?? 120_000,
    );
    const install = final.body.install as InstallStatus;
    outcome.set(installId, `${install.phase}:${install.deprovision?.leftovers.length ?? '?'}`);
    options.onStep?.('deprovisioned', installId);
  });
  return outcome;
}

/** The installs that did not end `deprovisioned` with nothing left over. */
export function lostInstalls(ids: string[], outcome: Map<string, string>): string[] {
  return ids.filter((id) => outcome.get(id) !== 'deprovisioned:0');
}

/** The census of the fleet's installs (see `installsCensus`), each in the customer account the fleet uses. */
export function fleetCensus(ids: string[]): Promise<InstallsCensus> {
  return installsCensus(
    ids.map((installId) => ({ installId, awsAccountId: customerAccount.accountId, region: 'us-east-1' })),
  );
}
