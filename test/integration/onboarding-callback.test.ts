import { randomBytes } from 'node:crypto';
import { renderOnboardingArtifacts, type OnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { countingInstalls, startTestApi, useTestApi, type TestApi } from '../api-server';
import { createCustomerRole, customerAccount, uniqueInstallId, waitUntil, withTestWorker } from '../helpers';
import { invokeCallbackFunction } from '../onboarding-callback-function';

const problemType = (slug: string) => `urn:install-orchestrator:problem:${slug}`;

describe('zero-paste onboarding: the role template reports the role itself, against the real stack', () => {
  const { taskQueue, api } = useTestApi('callback');

  async function startInstall(label: string, timeouts: Record<string, string> = {}) {
    const installId = uniqueInstallId(label);
    const started = await api.call('POST', '/installs', {
      installId,
      orgId: 'org-callback',
      awsAccountId: customerAccount.accountId,
      region: 'us-east-1',
      timeouts: { rolePropagation: '5 seconds', runnerCheckIn: '30 seconds', ...timeouts },
    });
    expect(started.status).toBe(201);
    return installId;
  }

  async function onboarding(installId: string) {
    const response = await api.call('GET', `/installs/${installId}/onboarding`);
    const artifacts = response.body as OnboardingArtifacts & { callback: { state: string } };
    const link = new URLSearchParams(artifacts.quickCreateUrl.split('?').slice(1).join('?'));
    return { artifacts, callbackUrl: link.get('param_CallbackUrl'), token: link.get('param_CallbackToken') };
  }

  function stackIdFor(installId: string): string {
    return `arn:aws:cloudformation:us-east-1:${customerAccount.accountId}:stack/install-${installId}-access/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
  }

  function postCallback(installId: string, token: string | undefined, roleArn: string) {
    return api.call(
      'POST',
      `/installs/${installId}/onboarding/callback`,
      { roleArn, stackId: stackIdFor(installId) },
      { authorization: token === undefined ? '' : `Bearer ${token}` },
    );
  }

  it('takes the role ARN from the stack once, verifies it like a pasted one, and refuses a replay', async () => {
    await withTestWorker(
      async () => {
        const installId = await startInstall('callback');
        const { artifacts, callbackUrl, token } = await onboarding(installId);
        expect(artifacts.callback.state).toBe('open');
        expect(callbackUrl).toMatch(new RegExp(`/installs/${installId}/onboarding/callback$`));
        expect(token).toMatch(/^[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/);
        const roleArn = await createCustomerRole(artifacts);

        const event = {
          RequestType: 'Create' as const,
          StackId: stackIdFor(installId),
          ResourceProperties: {
            CallbackUrl: `${api.url}/installs/${installId}/onboarding/callback`,
            CallbackToken: token!,
            RoleArn: roleArn,
          },
        };
        const answer = await invokeCallbackFunction(artifacts.roleTemplate, event);
        expect(answer).toMatchObject({
          Status: 'SUCCESS',
          RequestId: 'request-1',
          Reason: 'role ARN delivered (HTTP 202)',
        });

        const verified = await waitUntil(
          () => api.call('GET', `/installs/${installId}`),
          (response) => response.body.install.role?.verifiedAt !== undefined,
        );
        expect(verified.body.install.role.arn).toBe(roleArn);
        expect(verified.body.install.onboarding.callback).toMatchObject({
          state: 'used',
          stackId: stackIdFor(installId),
        });

        // CloudFormation re-sends Update events: the stack must still succeed, and the token is spent.
        const replayed = await invokeCallbackFunction(artifacts.roleTemplate, { ...event, RequestType: 'Update' });
        expect(replayed.Status).toBe('SUCCESS');
        expect(replayed.Reason).toContain('not delivered (HTTP 409)');
        const again = await postCallback(installId, token!, roleArn);
        expect(again.status).toBe(409);
        expect(again.body.type).toBe(problemType('callback-used'));

        await api.call('POST', `/installs/${installId}/deprovision`, {});
      },
      { taskQueue },
    );
  });

  it("refuses another install's token and a missing one", async () => {
    await withTestWorker(
      async () => {
        const mine = await startInstall('callback-mine');
        const theirs = await startInstall('callback-theirs');
        const { artifacts } = await onboarding(mine);
        const { token: theirToken } = await onboarding(theirs);
        const roleArn = `arn:aws:iam::${customerAccount.accountId}:role/${artifacts.roleName}`;

        for (const token of [theirToken!, undefined, `${theirToken!.slice(0, -1)}A`]) {
          const refused = await postCallback(mine, token, roleArn);
          expect(refused.status).toBe(401);
          expect(refused.body.type).toBe(problemType('invalid-callback-token'));
        }
        const status = await api.call('GET', `/installs/${mine}`);
        expect(status.body.install).toMatchObject({ phase: 'awaiting_role', roleSubmissions: 0 });
        await api.call('POST', `/installs/${mine}/deprovision`, {});
        await api.call('POST', `/installs/${theirs}/deprovision`, {});
      },
      { taskQueue },
    );
  });

  it('answers CloudFormation SUCCESS on Delete without calling back, and when the callback cannot be reached', async () => {
    const installId = uniqueInstallId('callback-offline');
    const artifacts = templateArtifacts(installId);
    const properties = {
      CallbackUrl: 'http://127.0.0.1:9/unreachable',
      CallbackToken: 't',
      RoleArn: 'arn:aws:iam::111111111111:role/r',
    };
    const deleted = await invokeCallbackFunction(artifacts.roleTemplate, {
      RequestType: 'Delete',
      StackId: stackIdFor(installId),
      ResourceProperties: properties,
    });
    expect(deleted).toMatchObject({ Status: 'SUCCESS', Reason: 'nothing to report on Delete' });
    const unreachable = await invokeCallbackFunction(artifacts.roleTemplate, {
      RequestType: 'Create',
      StackId: stackIdFor(installId),
      ResourceProperties: properties,
    });
    expect(unreachable.Status).toBe('SUCCESS');
    expect(unreachable.Reason).toMatch(/^role ARN not delivered \(URLError\)/);
  });

  it('expires the callback after its time, refuses it then, and a restart opens a new one that works', async () => {
    await withTestWorker(
      async () => {
        const installId = await startInstall('callback-expiry', { onboardingCallback: '1 second' });
        const first = await onboarding(installId);
        const roleArn = await createCustomerRole(first.artifacts);
        await waitUntil(
          () => api.call('GET', `/installs/${installId}`),
          (response) => response.body.install.onboarding?.callback?.state === 'expired',
        );
        const late = await postCallback(installId, first.token!, roleArn);
        expect(late.status).toBe(410);
        expect(late.body).toMatchObject({
          type: problemType('callback-expired'),
          restart: `/installs/${installId}/onboarding/restart`,
        });

        const restarted = await api.call('POST', `/installs/${installId}/onboarding/restart`);
        expect(restarted.status).toBe(200);
        expect(restarted.body.callback.state).toBe('open');
        const second = await onboarding(installId);
        expect(second.token).not.toBe(first.token);
        expect((await postCallback(installId, first.token!, roleArn)).status).toBe(401);
        expect((await postCallback(installId, second.token!, roleArn)).status).toBe(202);
        await waitUntil(
          () => api.call('GET', `/installs/${installId}`),
          (response) => response.body.install.role?.verifiedAt !== undefined,
        );
        await api.call('POST', `/installs/${installId}/deprovision`, {});
      },
      { taskQueue },
    );
  });
});

describe('the routes without an API key, before any Temporal call', () => {
  const taskQueue = `callback-public-${randomBytes(6).toString('hex')}`;
  const stackId = `arn:aws:cloudformation:us-east-1:${customerAccount.accountId}:stack/install-x-access/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
  const roleArn = `arn:aws:iam::${customerAccount.accountId}:role/x`;
  const anonymous = (token?: string) => ({ authorization: token === undefined ? '' : `Bearer ${token}` });

  /** The answer with the install id masked: the rest must not depend on whether the install exists. */
  const answer = (response: { status: number; body: unknown }, installId: string) => ({
    status: response.status,
    body: JSON.stringify(response.body).replaceAll(installId, '<id>'),
  });

  it('answers a bad token for a missing install exactly as for an existing one, and asks Temporal nothing', async () => {
    const calls: string[] = [];
    const api = await startTestApi({ taskQueue, installs: await countingInstalls(taskQueue, calls) });
    try {
      await withTestWorker(
        async () => {
          const existing = uniqueInstallId('callback-exists');
          const missing = uniqueInstallId('callback-missing');
          await api.call('POST', '/installs', {
            installId: existing,
            orgId: 'org-callback',
            awsAccountId: customerAccount.accountId,
            region: 'us-east-1',
            timeouts: { rolePropagation: '5 seconds' },
          });
          const kit = (await api.call('GET', `/installs/${existing}/onboarding`)).body as OnboardingArtifacts;
          const token = new URLSearchParams(kit.quickCreateUrl.split('?').slice(1).join('?')).get(
            'param_CallbackToken',
          )!;
          const [callbackId, mac] = token.split('.') as [string, string];
          const badTokens = [
            undefined,
            'not-a-token',
            `${callbackId}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
            `${'0'.repeat(32)}.${mac}`,
          ];
          calls.length = 0;
          for (const bad of badTokens) {
            const path = (id: string) => `/installs/${id}/onboarding/callback`;
            const there = await api.call('POST', path(existing), { roleArn, stackId }, anonymous(bad));
            const absent = await api.call('POST', path(missing), { roleArn, stackId }, anonymous(bad));
            expect(there.status).toBe(401);
            expect(there.body.type).toBe(problemType('invalid-callback-token'));
            expect(answer(there, existing)).toEqual(answer(absent, missing));
          }
          const checkIn = { registrationId: 'ab12', token: 'forged', runnerId: 'r1' };
          const path = (id: string) => `/installs/${id}/runner/check-in`;
          const there = await api.call('POST', path(existing), checkIn, anonymous());
          const absent = await api.call('POST', path(missing), checkIn, anonymous());
          expect(there.status).toBe(401);
          expect(answer(there, existing)).toEqual(answer(absent, missing));
          expect(calls).toEqual([]);

          // Past the MAC the workflow decides, without the API reading the status first: a stack in another account
          // is refused by the install's validator, and the real one is taken.
          const callbackPath = `/installs/${existing}/onboarding/callback`;
          const elsewhere = stackId.replace(customerAccount.accountId, '222222222222');
          const foreign = await api.call('POST', callbackPath, { roleArn, stackId: elsewhere }, anonymous(token));
          expect(foreign.status).toBe(400);
          expect(foreign.body.type).toBe(problemType('invalid-request'));
          const accepted = await api.call('POST', callbackPath, { roleArn, stackId }, anonymous(token));
          expect(accepted.status).toBe(202);
          expect(calls).toEqual(['submitRoleArn', 'submitRoleArn']);
          // The role `x` does not exist: the install answers the update once verification gives up. Stopping the
          // worker before that would leave the API's wait for the answer polling for ever, which kept the jest worker
          // from exiting ("A worker process has failed to exit gracefully").
          await waitUntil(
            () => api.call('GET', `/installs/${existing}`),
            (response) => response.body.install.phase === 'awaiting_role' && response.body.install.lastError,
          );
          await api.call('POST', `/installs/${existing}/deprovision`, {});
        },
        { taskQueue },
      );
    } finally {
      await api.app.close();
    }
  });

  it('answers 429 with a problem document once a client passes the limit without an API key', async () => {
    const api: TestApi = await startTestApi({ taskQueue, anonymousRateLimit: { max: 3, timeWindowMs: 60_000 } });
    try {
      const installId = uniqueInstallId('rate-limited');
      const callback = () =>
        api.call('POST', `/installs/${installId}/onboarding/callback`, { roleArn, stackId }, anonymous('x.y'));
      const checkIn = () =>
        api.call(
          'POST',
          `/installs/${installId}/runner/check-in`,
          { registrationId: 'ab', token: 'forged', runnerId: 'r1' },
          anonymous(),
        );
      const wrongKey = () => api.call('GET', '/installs', undefined, anonymous('wrong-key-wrong-key'));
      expect([(await callback()).status, (await checkIn()).status, (await wrongKey()).status]).toEqual([401, 401, 401]);
      for (const next of [callback, checkIn, wrongKey]) {
        const limited = await next();
        expect(limited.status).toBe(429);
        expect(limited.headers.get('content-type')).toContain('application/problem+json');
        expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(limited.body).toMatchObject({ type: problemType('too-many-requests'), status: 429 });
      }
      // A valid key is never limited, and health probes are not either.
      expect((await api.call('GET', '/installs?limit=1')).status).toBe(200);
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    } finally {
      await api.app.close();
    }
  });
});

/** The template renders the same for every install; any install's artifacts carry the function. */
function templateArtifacts(installId: string): OnboardingArtifacts {
  return renderOnboardingArtifacts({
    install: { installId, awsAccountId: customerAccount.accountId, region: 'us-east-1' },
    externalId: 'e'.repeat(48),
    vendorPrincipalArn: 'arn:aws:iam::123456789012:user/vendor',
    roleTemplateUrl: `http://127.0.0.1/installs/${installId}/onboarding/role-template.json`,
  });
}
