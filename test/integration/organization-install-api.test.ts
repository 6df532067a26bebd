import { randomBytes } from 'node:crypto';
import { problemTypeUri } from '../../client/api/problems';
import { startTestApi, type TestApi } from '../api-server';
import { closeTestClient, customerAccount, waitUntil, withTestWorker } from '../helpers';
import { invokeCallbackFunction } from '../onboarding-callback-function';
import { createManagementRoleStack, managementAccount, ouWithAccounts } from '../organization';

/** The organization install routes: start, kit, role ARN, status table, re-sync, deprovision; scoped to the key's org. */
describe('organization install API', () => {
  const suffix = randomBytes(4).toString('hex');
  const orgA = `org-a-${suffix}`;
  const keyA = { id: 'key-a', secret: randomBytes(24).toString('hex'), orgs: [orgA] };
  const keyB = { id: 'key-b', secret: randomBytes(24).toString('hex'), orgs: [`org-b-${suffix}`] };
  const as = (key: { secret: string }) => ({ authorization: `Bearer ${key.secret}` });
  const taskQueue = `api-organizations-${suffix}`;
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ taskQueue, keys: [keyA, keyB] });
  });
  afterAll(async () => {
    await api.app.close();
    await closeTestClient();
  });

  /** A start of an organization install of the shared management account, polling its members every second. */
  const startBody = (id: string, ouId: string) => ({
    organizationInstallId: id,
    orgId: orgA,
    managementAccountId: managementAccount.accountId,
    region: 'us-east-1',
    organizationalUnitIds: [ouId],
    memberPollInterval: '1 second',
  });

  it('onboards an organization through the API with the kit’s CloudFormation template, and deprovisions it', async () => {
    await withTestWorker(
      async () => {
        const { ouId, accounts } = await ouWithAccounts('api', 1);
        const id = `api-${suffix}`;
        const body = startBody(id, ouId);
        const started = await api.call('POST', '/organization-installs', body, as(keyA));
        expect(started.status).toBe(201);
        expect(started.body.organizationInstall).toMatchObject({ phase: 'awaiting_management_role', accounts: [] });
        expect((await api.call('POST', '/organization-installs', body, as(keyA))).status).toBe(200);

        // Another org's key sees nothing, exactly as for a missing id.
        const theirs = await api.call('GET', `/organization-installs/${id}`, undefined, as(keyB));
        const missing = await api.call('GET', `/organization-installs/nobody-${suffix}`, undefined, as(keyB));
        expect(theirs.status).toBe(404);
        expect(theirs.body.type).toBe(problemTypeUri('installNotFound'));
        expect(missing.body.type).toBe(theirs.body.type);

        const kit = await api.call('GET', `/organization-installs/${id}/kit`, undefined, as(keyA));
        expect(kit.status).toBe(200);
        expect(kit.body.managementRoleCli).toContain('enable-aws-service-access');

        const wrongAccount = await api.call(
          'POST',
          `/organization-installs/${id}/role-arn`,
          { roleArn: `arn:aws:iam::${accounts[0]}:role/x` },
          as(keyA),
        );
        expect(wrongAccount.status).toBe(400);
        expect(wrongAccount.body.type).toBe(problemTypeUri('invalidRoleArn'));

        // The customer creates the kit's template as a stack in the management account.
        const roleArn = await createManagementRoleStack(`${id}-management`, kit.body);
        const verified = await api.call('POST', `/organization-installs/${id}/role-arn`, { roleArn }, as(keyA));
        expect(verified.body).toMatchObject({ verified: true });

        const synced = await waitUntil(
          async () => (await api.call('GET', `/organization-installs/${id}`, undefined, as(keyA))).body,
          // A re-sync is taken only once the first one has judged the members: active (or degraded), not while the
          // StackSet deploys and the accounts table is already filling.
          (answer) => answer.organizationInstall.accounts.length === 1 && answer.organizationInstall.phase === 'active',
        );
        expect(synced.organizationInstall).toMatchObject({
          stackSet: { name: kit.body.stackSetName, autoDeployment: true },
          accounts: [{ accountId: accounts[0], installId: `${id}-${accounts[0]}`, membership: 'member' }],
        });
        const resynced = await api.call('POST', `/organization-installs/${id}/resync`, undefined, as(keyA));
        expect(resynced.status).toBe(200);
        expect(resynced.body.organizationInstall.resyncs).toBeGreaterThanOrEqual(2);

        const deprovision = await api.call('POST', `/organization-installs/${id}/deprovision`, {}, as(keyA));
        expect(deprovision.status).toBe(202);
        const ended = await waitUntil(
          async () => (await api.call('GET', `/organization-installs/${id}`, undefined, as(keyA))).body,
          (answer) => answer.organizationInstall.phase === 'deprovisioned',
          90_000,
        );
        expect(ended.organizationInstall).toMatchObject({ accounts: [] });
        expect(ended.organizationInstall.stackSet).toBeUndefined();
      },
      { taskQueue },
    );
  });

  it('takes the management role from its stack with the kit’s one-time callback (zero paste), once, and refuses forged or foreign tokens', async () => {
    await withTestWorker(
      async () => {
        const { ouId } = await ouWithAccounts('zero-paste', 1);
        const id = `zero-paste-${suffix}`;
        const started = await api.call('POST', '/organization-installs', startBody(id, ouId), as(keyA));
        expect(started.body.organizationInstall.onboarding.callback).toMatchObject({ state: 'open' });
        expect(started.body.organizationInstall.onboarding.callback.callbackId).toBeUndefined();

        const kit = (await api.call('GET', `/organization-installs/${id}/kit`, undefined, as(keyA))).body;
        expect(kit.callback).toMatchObject({ state: 'open', url: `${api.url}/organization-installs/${id}/callback` });
        expect(kit.callback.token).toMatch(/^[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/);
        expect(kit.managementStackCli).toContain(`ParameterValue='${kit.callback.token}'`);
        const template = kit.managementRoleTemplate as { Resources: Record<string, { Type: string }> };
        expect(template.Resources.RoleCallback?.Type).toBe('Custom::ManagementRoleCallback');

        // The customer's stack (moto runs no Lambda, so the function the template carries is run here as
        // CloudFormation would, with the stack's event).
        const roleArn = await createManagementRoleStack(`${id}-management`, kit);
        const stackId = `arn:aws:cloudformation:us-east-1:${managementAccount.accountId}:stack/${id}-management/5a1f8d8e-0000-4000-8000-000000000001`;
        const event = {
          RequestType: 'Create' as const,
          StackId: stackId,
          ResourceProperties: { CallbackUrl: kit.callback.url, CallbackToken: kit.callback.token, RoleArn: roleArn },
        };
        const post = (token: string, stack = stackId) =>
          api.call(
            'POST',
            `/organization-installs/${id}/callback`,
            { roleArn, stackId: stack },
            { authorization: `Bearer ${token}` },
          );

        // Refused before the workflow is asked: a token for another id, a forged MAC, none at all.
        const [callbackId] = kit.callback.token.split('.');
        for (const token of [`${callbackId}.${'A'.repeat(43)}`, '', 'not-a-token']) {
          const refused = await post(token);
          expect(refused.status).toBe(401);
          expect(refused.body.type).toBe(problemTypeUri('invalidCallbackToken'));
        }
        // A stack of another account (the token leaked to it) is refused by the workflow, and the callback stays open.
        const foreignStack = await post(
          kit.callback.token,
          stackId.replace(managementAccount.accountId, customerAccount.accountId),
        );
        expect(foreignStack.status).toBe(400);
        expect(foreignStack.body.detail).toContain(`not in account ${managementAccount.accountId}`);

        expect(await invokeCallbackFunction(kit.managementRoleTemplate, event)).toMatchObject({
          Status: 'SUCCESS',
          Reason: 'role ARN delivered (HTTP 202)',
        });
        const verified = await waitUntil(
          async () => (await api.call('GET', `/organization-installs/${id}`, undefined, as(keyA))).body,
          (answer) => answer.organizationInstall.managementRole?.verifiedAt !== undefined,
        );
        expect(verified.organizationInstall.managementRole.arn).toBe(roleArn);
        expect(verified.organizationInstall.onboarding.callback).toMatchObject({ state: 'used', stackId });

        // CloudFormation re-sends Update events: the stack still succeeds, and the token is spent.
        const replayed = await invokeCallbackFunction(kit.managementRoleTemplate, { ...event, RequestType: 'Update' });
        expect(replayed).toMatchObject({ Status: 'SUCCESS' });
        expect(replayed.Reason).toContain('not delivered (HTTP 409)');
        const again = await post(kit.callback.token);
        expect(again.status).toBe(409);
        expect(again.body.type).toBe(problemTypeUri('callbackUsed'));
        // Spent, the kit offers no callback any more.
        expect(
          (await api.call('GET', `/organization-installs/${id}/kit`, undefined, as(keyA))).body.callback,
        ).toBeUndefined();

        await api.call('POST', `/organization-installs/${id}/deprovision`, {}, as(keyA));
        await waitUntil(
          async () => (await api.call('GET', `/organization-installs/${id}`, undefined, as(keyA))).body,
          (answer) => answer.organizationInstall.phase === 'deprovisioned',
          90_000,
        );
      },
      { taskQueue },
    );
  });
});
