import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { customerAccessRef } from '../../domain/customer-access';
import { installWorkflow } from '../../workflows';
import {
  AwsAccountIdAttribute,
  customerAccessQuery,
  InstallIdAttribute,
  InstallPhaseAttribute,
  OrgIdAttribute,
  requestDeprovisionUpdate,
  restingPhases,
  runnerCheckInUpdate,
  submitRoleArnUpdate,
} from '../../workflows/definitions';
import { closeTestClient, testClient, waitUntil, withTestWorker } from '../helpers';
import { installStatus, startInstall, testInstallInput } from '../install-driver';
import { mockActivities } from './mock-activities';

const roleArn = 'arn:aws:iam::111111111111:role/install-access';
const registration = { registrationId: 'reg-1', tokenSha256: 'a'.repeat(64), runnerId: 'runner-1' };
const { EventType } = temporal.api.enums.v1;

type History = Awaited<ReturnType<Awaited<ReturnType<typeof startInstall>>['fetchHistory']>>;

/** Every search-attribute upsert in a history, as attribute name → the values written, in order. */
function upserts(history: History): Array<Record<string, unknown>> {
  return (history.events ?? [])
    .filter((event) => event.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
    .map((event) =>
      Object.fromEntries(
        Object.entries(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).map(
          ([name, payload]) => [name, JSON.parse(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8'))],
        ),
      ),
    );
}

function markers(history: History, name: 'core_patch' | 'core_local_activity'): number {
  return (history.events ?? []).filter((event) => event.markerRecordedEventAttributes?.markerName === name).length;
}

function scheduledActivities(history: History): string[] {
  return (history.events ?? []).flatMap(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
  );
}

/** From start to deprovisioned with every activity mocked, the way the API drives it (or without its attributes). */
async function runToDeprovisioned(client: Client, taskQueue: string, label: string, withStartAttributes: boolean) {
  const input = testInstallInput(label);
  const handle = withStartAttributes
    ? await client.workflow.start(installWorkflow, {
        workflowId: input.installId,
        taskQueue,
        args: [input],
        typedSearchAttributes: [
          { key: InstallIdAttribute, value: input.installId },
          { key: OrgIdAttribute, value: input.orgId },
          { key: AwsAccountIdAttribute, value: input.awsAccountId },
          { key: InstallPhaseAttribute, value: 'awaiting_role' },
        ],
      })
    : await startInstall(client, taskQueue, input);
  await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
  await waitUntil(
    () => installStatus(handle),
    (s) => s.runner !== undefined,
  );
  await handle.executeUpdate(runnerCheckInUpdate, { args: [registration] });
  await waitUntil(
    () => installStatus(handle),
    (s) => s.phase === 'active',
  );
  await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
  expect(await handle.result()).toMatchObject({ phase: 'deprovisioned' });
  return { input, handle, history: await handle.fetchHistory() };
}

describe('a compact history: the phase attribute where installs rest, one patch marker', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(() => closeTestClient());

  it('writes InstallPhase only where the install rests, and one TemporalChangeVersion for all earlier patches (those made after compact-history ask on their own)', async () => {
    const { activities } = mockActivities();
    await withTestWorker(
      async ({ taskQueue }) => {
        const { input, handle, history } = await runToDeprovisioned(client, taskQueue, 'compact', false);
        const written = upserts(history);
        // This release's patch came after compact-history, so it asks for itself, and implies the vendor-calls queue
        // of the release before (workflows/patches.ts); none of the patches before compact-history asks.
        // The release after's (anchorsPatch) is asked where its behaviour starts: here, once the install is active.
        expect(written.filter((fields) => 'TemporalChangeVersion' in fields)).toEqual([
          { TemporalChangeVersion: ['compact-history'] },
          { TemporalChangeVersion: ['compact-history', 'install-events'] },
          { TemporalChangeVersion: ['anchors-and-oidc', 'compact-history', 'install-events'] },
        ]);
        expect(markers(history, 'core_patch')).toBe(3);
        // The worker's own answers (limits, External ID, runner registration) are local activities: a marker each. None
        // of the eight events (seven phase changes and the deprovision) is handed to the webhooks: the limits said this
        // worker has no endpoints (workflows/install-events.ts).
        const { eventSequence } = await installStatus(handle);
        expect(eventSequence).toBe(8);
        expect(markers(history, 'core_local_activity')).toBe(3);
        expect(scheduledActivities(history)).not.toContain('prepareOnboarding');
        // Started straight through Temporal, without attributes: the first upsert sets them all at once.
        expect(written.filter((fields) => !('TemporalChangeVersion' in fields))).toEqual([
          {
            InstallId: input.installId,
            OrgId: input.orgId,
            AwsAccountId: input.awsAccountId,
            InstallPhase: 'awaiting_role',
          },
          { InstallPhase: 'handing_off' },
          { InstallPhase: 'active' },
          { InstallPhase: 'deprovisioned' },
        ]);
        expect((await handle.describe()).typedSearchAttributes.get(InstallPhaseAttribute)).toBe('deprovisioned');
      },
      { activityOverrides: activities },
    );
  });

  it('writes nothing at start when started with its attributes, as the API starts installs', async () => {
    const { activities } = mockActivities();
    await withTestWorker(
      async ({ taskQueue }) => {
        const { history } = await runToDeprovisioned(client, taskQueue, 'compact-api', true);
        const phases = upserts(history)
          .filter((fields) => !('TemporalChangeVersion' in fields))
          .map((fields) => fields.InstallPhase);
        expect(phases).toEqual(['handing_off', 'active', 'deprovisioned']);
        expect(phases.every((phase) => restingPhases.includes(phase as never))).toBe(true);
      },
      { activityOverrides: activities },
    );
  });

  it('answers a reference to its role with the whole access, and a reference to any other role with nothing', async () => {
    const { activities } = mockActivities();
    await withTestWorker(
      async ({ taskQueue }) => {
        const input = testInstallInput('access-query');
        const handle = await startInstall(client, taskQueue, input);
        await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
        const { onboarding } = await waitUntil(
          () => installStatus(handle),
          (s) => s.runner !== undefined,
        );
        const access = {
          installId: input.installId,
          roleArn,
          externalId: onboarding!.externalId,
          region: input.region,
        };
        expect(await handle.query(customerAccessQuery, customerAccessRef(access))).toEqual(access);
        const other = customerAccessRef({ ...access, roleArn: 'arn:aws:iam::111111111111:role/other' });
        expect(await handle.query(customerAccessQuery, other)).toBeUndefined();
        const otherInstall = customerAccessRef({ ...access, installId: 'someone-else' });
        expect(await handle.query(customerAccessQuery, otherInstall)).toBeUndefined();
        await handle.terminate('test done');
      },
      { activityOverrides: activities },
    );
  });
});
