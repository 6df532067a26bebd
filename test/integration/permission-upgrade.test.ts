import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { permissionSetOf, permissionSetVersions, type PermissionSet } from '../../domain/permission-versions';
import { activeThroughApi, startTestApi, type TestApi } from '../api-server';
import { customerClients } from '../customer-account';
import { closeTestClient, uniqueInstallId, waitUntil, withTestWorker } from '../helpers';

/**
 * The vendor ships a permission set version with one more action; an active install asks for it, the customer grants
 * it, and the install returns to active at the new version: through the API, on the real Temporal server and moto.
 */
describe('permission upgrades through the API, against the real Temporal server and moto', () => {
  const taskQueue = `permission-upgrade-${Date.now()}`;
  // What the worker and the API ship: both read it at each check, as both read PERMISSION_VERSIONS_FILE at start.
  // The first release's version only, so the version this test ships is 2 whatever code ships later.
  const firstRelease = permissionSetVersions.slice(0, 1);
  let shipped: PermissionSet = { versions: firstRelease, current: 1 };
  const permissionSet = () => shipped;
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ taskQueue, permissionSet });
  });
  afterAll(async () => {
    await api.app.close();
    await closeTestClient();
  });

  it('asks an active install for the action a new version adds, and returns it to active at that version once the customer grants it', async () => {
    await withTestWorker(
      async () => {
        const installId = uniqueInstallId('perm-upgrade');
        const { artifacts: kit, install } = await activeThroughApi(api, installId);
        expect(install.permissions).toEqual({ version: 1 });

        // The vendor ships version 2: one more action on the sandbox queues.
        shipped = permissionSetOf(
          [
            {
              version: 2,
              note: 'Read the tags of the sandbox queues.',
              added: [{ purpose: 'sandbox', action: 'sqs:ListQueueTags', resource: 'sandbox_queues' }],
            },
          ],
          undefined,
          firstRelease,
        );
        const before = await api.call('GET', `/installs/${installId}/permissions`);
        expect(before.body).toMatchObject({ phase: 'active', version: 1, currentVersion: 2 });
        expect(before.body.upgrade).toBeUndefined();

        const asked = await api.call('POST', `/installs/${installId}/permissions/recheck`);
        expect(asked.status).toBe(200);
        expect(asked.body).toMatchObject({ phase: 'awaiting_permission_upgrade', version: 1, currentVersion: 2 });
        const upgrade = asked.body.upgrade;
        expect(upgrade.addedActions).toEqual([
          expect.stringMatching(/^sqs:ListQueueTags on arn:aws:sqs:us-east-1:\d{12}:/),
        ]);
        expect(upgrade.missing).toEqual(upgrade.addedActions);
        expect(upgrade).toMatchObject({ fromVersion: 1, toVersion: 2, checks: 1 });
        expect(upgrade.problem).toMatchObject({ code: 'permission_upgrade_required' });
        expect(upgrade.problem.fix).toContain('/permissions/recheck');
        expect(upgrade.kit.notes).toEqual(['v2: Read the tags of the sandbox queues.']);
        expect(JSON.stringify(upgrade.kit.provisionPolicy)).toContain('sqs:ListQueueTags');
        expect(upgrade.kit.stackUpdateUrl).toContain(`#/stacks/update/template?stackId=install-${installId}-access`);
        expect(upgrade.kit.cli).toContain(`--stack-name install-${installId}-access`);
        expect(upgrade.kit.terraform).toContain('sqs:ListQueueTags');
        // The stack update's template is the role template, which the API now renders at version 2.
        const template = await api.call('GET', `/installs/${installId}/onboarding/role-template.json`);
        expect(JSON.stringify(template.body)).toContain('sqs:ListQueueTags');

        // Usable meanwhile: the status says so, with no drift; the role is still checked against version 1.
        const waiting = (await api.call('GET', `/installs/${installId}`)).body.install;
        expect(waiting.phase).toBe('awaiting_permission_upgrade');
        expect(waiting.role.drift).toBeUndefined();
        expect(waiting.permissions).toMatchObject({ version: 1, upgrade: { toVersion: 2, missing: upgrade.missing } });

        // The customer applies the updated provision policy (the kit's put-role-policy).
        await customerClients().iam.send(
          new PutRolePolicyCommand({
            RoleName: kit.roleName,
            PolicyName: 'provision',
            PolicyDocument: JSON.stringify(upgrade.kit.provisionPolicy),
          }),
        );
        const granted = await api.call('POST', `/installs/${installId}/permissions/recheck`);
        expect(granted.body).toMatchObject({ phase: 'active', version: 2, currentVersion: 2 });
        expect(granted.body.upgrade).toBeUndefined();
        expect(granted.body.upgrades).toEqual([
          { fromVersion: 1, toVersion: 2, askedAt: upgrade.askedAt, grantedAt: expect.any(String) },
        ]);

        expect((await api.call('POST', `/installs/${installId}/deprovision`, {})).status).toBe(202);
        const final = await waitUntil(
          () => api.call('GET', `/installs/${installId}`),
          (response) => response.body.install.phase === 'deprovisioned',
        );
        expect(final.body.install.deprovision.leftovers).toEqual([]);
      },
      { taskQueue, deps: { permissionSet } },
    );
  });
});
