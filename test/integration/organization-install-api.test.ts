import { randomBytes } from 'node:crypto';
import { problemTypeUri } from '../../client/api/problems';
import { startTestApi, type TestApi } from '../api-server';
import { closeTestClient, waitUntil, withTestWorker } from '../helpers';
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

  it('onboards an organization through the API with the kit’s CloudFormation template, and deprovisions it', async () => {
    await withTestWorker(
      async () => {
        const { ouId, accounts } = await ouWithAccounts('api', 1);
        const id = `api-${suffix}`;
        const body = {
          organizationInstallId: id,
          orgId: orgA,
          managementAccountId: managementAccount.accountId,
          region: 'us-east-1',
          organizationalUnitIds: [ouId],
          memberPollInterval: '1 second',
        };
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
});
