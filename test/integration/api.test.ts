import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import {
  createCustomerRole,
  customerAccount,
  testClient,
  uniqueInstallId,
  waitUntil,
  withTestWorker,
} from '../helpers';
import { countingInstalls, startTestApi, testOperatorKeyId, useTestApi, type TestApi } from '../api-server';
import type { OnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { InstallService } from '../../client/install-service';
import { stackStatus } from '../customer-account';
import { runnerProof } from '../runner-proof';

const problemType = (slug: string) => `urn:install-orchestrator:problem:${slug}`;

function startBody(installId: string, overrides: Record<string, unknown> = {}) {
  return {
    installId,
    orgId: 'org-api',
    awsAccountId: customerAccount.accountId,
    region: 'us-east-1',
    timeouts: { rolePropagation: '5 seconds', runnerCheckIn: '30 seconds' },
    ...overrides,
  };
}

describe('the HTTP API over real HTTP against the real Temporal server', () => {
  const { taskQueue, api } = useTestApi('api');

  it('answers health, readiness and the OpenAPI document without a key', async () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json']) {
      const response = await fetch(`${api.url}${path}`);
      expect(response.status).toBe(200);
    }
    const openapi = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/installs',
        '/installs/{installId}',
        '/installs/{installId}/role-arn',
        '/installs/{installId}/runner/check-in',
      ]),
    );
  });

  it('refuses vendor routes without a valid API key, with a problem document', async () => {
    for (const headers of [
      { authorization: '' },
      { authorization: 'Bearer wrong-key-wrong-key' },
      { authorization: `Basic ${api.apiKey}` },
    ]) {
      const response = await api.call('GET', '/installs', undefined, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body).toMatchObject({ type: problemType('unauthorized'), status: 401 });
    }
  });

  it.each<[string, unknown, string, number]>([
    ['malformed JSON', '{"orgId": ', 'invalid-request', 400],
    ['an unknown field', { ...startBody('unknown-field-1'), sandboxSize: 'huge' }, 'invalid-request', 400],
    ['a wrong type', { ...startBody('wrong-type-1'), keepResourcesOnFailure: 'yes please' }, 'invalid-request', 400],
    [
      'a boolean as a string',
      { ...startBody('string-bool-1'), keepResourcesOnFailure: 'true' },
      'invalid-request',
      400,
    ],
    ['a short account id', startBody('short-account-1', { awsAccountId: '1234' }), 'invalid-request', 400],
    ['an install id with capitals', startBody('Bad_Id'), 'invalid-request', 400],
    [
      "a permissions boundary in another account than the install's",
      startBody('boundary-1', { permissionsBoundary: 'arn:aws:iam::999999999999:policy/Boundary' }),
      'invalid-request',
      400,
    ],
    ['a 20 KB field', startBody('big-1', { orgId: 'x'.repeat(20_000) }), 'payload-too-large', 413],
  ])('rejects a start with %s and starts nothing', async (_case, body, slug, status) => {
    const response = await api.call('POST', '/installs', body);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ type: problemType(slug), status });
    const listed = await api.call('GET', `/installs?orgId=org-api`);
    expect(listed.body.installs.map((install: { installId: string }) => install.installId)).not.toContain(
      typeof body === 'object' && body !== null ? (body as { installId?: string }).installId : undefined,
    );
  });

  it('takes no string for a number in a body, while a number in the query string still counts', async () => {
    const body = { roleArn: `arn:aws:iam::${customerAccount.accountId}:role/x`, waitSeconds: '60' };
    const stringly = await api.call('POST', '/installs/no-such-install/role-arn', body);
    expect(stringly.status).toBe(400);
    expect(stringly.body).toMatchObject({ type: problemType('invalid-request'), errors: [{ path: '/waitSeconds' }] });
    const limited = await api.call('GET', '/installs?limit=5');
    expect(limited.status).toBe(200);
    expect(limited.body.installs.length).toBeLessThanOrEqual(5);
    expect((await api.call('GET', '/installs?limit=five')).status).toBe(400);
  });

  it('answers 404 for an unknown install or route, and 415 for a body that is not JSON', async () => {
    expect((await api.call('GET', '/installs/does-not-exist')).body).toMatchObject({
      type: problemType('install-not-found'),
      status: 404,
    });
    expect((await api.call('GET', '/nowhere')).status).toBe(404);
    const text = await api.call('POST', '/installs', 'orgId=x', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
  });

  it.each<[string, string, string]>([
    ['DELETE', '/installs/some-install', 'GET'],
    ['PUT', '/installs', 'GET, POST'],
    ['GET', '/installs/some-install/onboarding/restart', 'POST'],
    ['QUERY', '/healthz', 'GET'],
  ])('answers %s %s with 405 and the methods the path takes, before asking for a key', async (method, path, allow) => {
    const response = await api.call(method, path, undefined, { authorization: '' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.body).toMatchObject({ type: problemType('method-not-allowed'), status: 405 });
  });

  it('starts an install once however often the start is repeated', async () => {
    await withTestWorker(
      async () => {
        const installId = uniqueInstallId('idempotent');
        const first = await api.call('POST', '/installs', startBody(installId));
        expect(first.status).toBe(201);
        expect(first.body.install).toMatchObject({ installId, phase: 'awaiting_role' });
        expect(first.body.links.temporalUi).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${installId}`);
        const again = await api.call('POST', '/installs', startBody(installId));
        expect(again.status).toBe(200);
        expect(again.body.install.onboarding.externalId).toBe(first.body.install.onboarding.externalId);
        const other = await api.call('POST', '/installs', startBody(installId, { awsAccountId: '222222222222' }));
        expect(other.status).toBe(409);
        expect(other.body.type).toBe(problemType('install-id-taken'));

        const listed = await waitUntil(
          () => api.call('GET', `/installs?orgId=org-api&phase=awaiting_role`),
          (response) =>
            response.body.installs.some((install: { installId: string }) => install.installId === installId),
        );
        expect(
          listed.body.installs.filter((install: { installId: string }) => install.installId === installId),
        ).toHaveLength(1);
        await api.call('POST', `/installs/${installId}/deprovision`, {});
      },
      { taskQueue },
    );
  });

  it('onboards through the API: kit, role ARN checks, verification, runner check-in, deprovision', async () => {
    await withTestWorker(
      async () => {
        const installId = uniqueInstallId('api-flow');
        await api.call('POST', '/installs', startBody(installId));
        const kit = await api.call('GET', `/installs/${installId}/onboarding`);
        expect(kit.status).toBe(200);
        const artifacts = kit.body as OnboardingArtifacts & { files: Array<{ name: string; url: string }> };
        expect(artifacts.files.map((file) => file.name)).toEqual(
          expect.arrayContaining([
            'trust-policy.json',
            'role-template.json',
            'create-role.sh',
            'install-access-role.tf',
          ]),
        );
        const trustFile = await api.call('GET', `/installs/${installId}/onboarding/trust-policy.json`);
        expect(trustFile.headers.get('content-disposition')).toBe('attachment; filename="trust-policy.json"');
        expect(JSON.stringify(trustFile.body)).toContain(artifacts.externalId);

        const account = customerAccount.accountId;
        for (const [roleArn, code] of [
          ['arn:aws:iam::111111111111:role', 'not_a_role'],
          [`arn:aws-cn:iam::${account}:role/x`, 'wrong_partition'],
          ['arn:aws:iam::222222222222:role/x', 'wrong_account'],
          [`arn:aws:iam::${account}:user/x`, 'not_a_role'],
          [`arn:aws:iam::${account}:role/${'ü'.repeat(10)}`, 'invalid_role_name'],
        ]) {
          const rejected = await api.call('POST', `/installs/${installId}/role-arn`, { roleArn });
          expect(rejected.status).toBe(400);
          expect(rejected.body).toMatchObject({ type: problemType('invalid-role-arn'), code });
        }

        const roleArn = await createCustomerRole(artifacts, { path: '/platform/vendors/' });
        expect(roleArn).toContain(':role/platform/vendors/');
        const verified = await api.call('POST', `/installs/${installId}/role-arn`, { roleArn });
        expect(verified.status).toBe(200);
        expect(verified.body).toMatchObject({ verified: true });
        const late = await api.call('POST', `/installs/${installId}/role-arn`, { roleArn });
        expect(late.status).toBe(409);
        expect(late.body.type).toBe(problemType('wrong-phase'));

        const registration = await waitUntil(
          () => api.call('GET', `/installs/${installId}/runner/registration`),
          (response) => response.status === 200,
        );
        const checkInPath = `/installs/${installId}/runner/check-in`;
        const noKey = { authorization: '' };
        const forged = await api.call(
          'POST',
          checkInPath,
          { ...registration.body, token: 'forged', runnerId: 'r1', expiresAt: undefined },
          noKey,
        );
        expect(forged.status).toBe(401);
        expect(forged.body.type).toBe(problemType('invalid-runner-token'));
        const { install: handingOff } = (await api.call('GET', `/installs/${installId}`)).body;
        const checkIn = {
          registrationId: registration.body.registrationId,
          token: registration.body.token,
          runnerId: 'runner-1',
          identityProof: await runnerProof(installId, handingOff.runner.expectedIdentity),
        };
        expect((await api.call('POST', checkInPath, checkIn, noKey)).status).toBe(200);
        const replayed = await api.call('POST', checkInPath, checkIn, noKey);
        expect(replayed.status).toBe(409);

        await waitUntil(
          () => api.call('GET', `/installs/${installId}`),
          (response) => response.body.install.phase === 'active',
        );
        expect((await api.call('POST', `/installs/${installId}/deprovision`, { reason: 'done' })).status).toBe(202);
        const twice = await api.call('POST', `/installs/${installId}/deprovision`, {});
        expect(twice.status).toBe(409);
        const final = await waitUntil(
          () => api.call('GET', `/installs/${installId}`),
          (response) => response.body.install.phase === 'deprovisioned',
        );
        expect(final.body.install.deprovision.leftovers).toEqual([]);
        expect(final.body.install.deprovision.requestedBy).toBe(testOperatorKeyId);
      },
      { taskQueue },
    );
  });

  it('holds an install that needs approval until someone decides, then honours the decision', async () => {
    await withTestWorker(
      async () => {
        const installId = uniqueInstallId('api-approval');
        await api.call(
          'POST',
          '/installs',
          startBody(installId, { approval: { required: true, expiresAfter: '1 hour' } }),
        );
        const kit = (await api.call('GET', `/installs/${installId}/onboarding`)).body as OnboardingArtifacts;
        const roleArn = await createCustomerRole(kit);
        expect((await api.call('POST', `/installs/${installId}/role-arn`, { roleArn })).body).toMatchObject({
          verified: true,
        });
        const waiting = await waitUntil(
          () => api.call('GET', `/installs/${installId}`),
          (response) => response.body.install.phase === 'awaiting_approval',
        );
        // The plan is CloudFormation's own change set, computed in the account; only an empty stack exists so far.
        const { plan, changeSet } = waiting.body.install.approval as { plan: string[]; changeSet: { stackId: string } };
        expect(
          plan.filter((line) => / Add AWS::(S3::Bucket RunnerArtifacts|SQS::Queue RunnerJobs)$/.test(line)),
        ).toHaveLength(2);
        expect(plan.some((line) => line.startsWith('Cost and Usage Report'))).toBe(true);
        expect(await stackStatus(changeSet.stackId)).toBe('REVIEW_IN_PROGRESS');
        const bad = await api.call('POST', `/installs/${installId}/approval`, { approve: 'yes', by: 'carol' });
        expect(bad.status).toBe(400);
        const decided = await api.call('POST', `/installs/${installId}/approval`, {
          approve: false,
          by: 'carol',
          reason: 'later',
        });
        expect(decided.status).toBe(200);
        const rejected = await waitUntil(
          () => api.call('GET', `/installs/${installId}`),
          (response) => response.body.install.phase === 'rejected',
        );
        // The record names the key that decided, whoever the body claims; the claim is kept beside it.
        expect(rejected.body.install.approval).toMatchObject({
          decision: 'rejected',
          decidedBy: testOperatorKeyId,
          onBehalfOf: 'carol',
        });
        const late = await api.call('POST', `/installs/${installId}/approval`, { approve: true, by: 'carol' });
        expect(late.status).toBe(409);
        expect(await stackStatus(changeSet.stackId)).toBe('DELETE_COMPLETE');
      },
      { taskQueue },
    );
  });
});

describe('the API checks the request, the workflow decides', () => {
  const taskQueue = `api-decides-${randomBytes(6).toString('hex')}`;
  const calls: string[] = [];
  let api: TestApi;
  let queries: jest.SpyInstance;
  beforeAll(async () => {
    api = await startTestApi({ taskQueue, installs: await countingInstalls(taskQueue, calls) });
    queries = jest.spyOn((await testClient()).workflowService, 'queryWorkflow');
  });
  afterAll(async () => {
    queries.mockRestore();
    await api.app.close();
  });
  beforeEach(() => {
    calls.length = 0;
    queries.mockClear();
  });

  it('answers a start with the onboarding kit without querying the install', async () => {
    await withTestWorker(
      async () => {
        const installId = uniqueInstallId('no-polling');
        const started = await api.call('POST', '/installs', startBody(installId));
        expect(started.status).toBe(201);
        expect(started.body.install.onboarding).toMatchObject({
          externalId: expect.any(String),
          callback: { state: 'open' },
        });
        expect(calls).toEqual(['start']);
        expect(queries).not.toHaveBeenCalled();
        await api.call('POST', `/installs/${installId}/deprovision`, {});
      },
      { taskQueue },
    );
  });

  it("sends a role ARN straight to the install, and answers the workflow's refusals as problems", async () => {
    await withTestWorker(
      async () => {
        const installId = uniqueInstallId('decides');
        expect((await api.call('POST', '/installs', startBody(installId))).status).toBe(201);
        calls.length = 0;
        queries.mockClear();
        const path = `/installs/${installId}/role-arn`;
        const wrongAccount = await api.call('POST', path, { roleArn: 'arn:aws:iam::222222222222:role/x' });
        expect(wrongAccount.status).toBe(400);
        expect(wrongAccount.body).toMatchObject({ type: problemType('invalid-role-arn'), code: 'wrong_account' });
        expect(calls).toEqual(['submitRoleArn']);
        expect(queries).not.toHaveBeenCalled();

        await api.call('POST', `/installs/${installId}/deprovision`, {});
        const ended = await waitUntil(
          () => api.call('GET', `/installs/${installId}`),
          (response) => response.body.install.phase !== 'awaiting_role',
        );
        expect(queries).toHaveBeenCalled(); // the spy does see a status read
        calls.length = 0;
        queries.mockClear();
        const roleArn = `arn:aws:iam::${customerAccount.accountId}:role/x`;
        const late = await api.call('POST', path, { roleArn });
        expect(late.status).toBe(409);
        expect(late.body.type).toBe(problemType('wrong-phase'));
        // The phase comes from the workflow's refusal, or from the final status once the install has ended.
        expect([ended.body.install.phase, 'deprovisioned']).toContain(late.body.phase);
        expect(calls).toEqual(['submitRoleArn']);
      },
      { taskQueue },
    );
  });
});

describe('API keys bound to orgs', () => {
  const suffix = randomBytes(4).toString('hex');
  const orgA = `org-a-${suffix}`;
  const orgB = `org-b-${suffix}`;
  const keyA = { id: 'key-a', secret: randomBytes(24).toString('hex'), orgs: [orgA] };
  const keyB = { id: 'key-b', secret: randomBytes(24).toString('hex'), orgs: [orgB] };
  const as = (key: { secret: string }) => ({ authorization: `Bearer ${key.secret}` });
  const taskQueue = `api-orgs-${suffix}`;
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ taskQueue, keys: [keyA, keyB] });
  });
  afterAll(async () => {
    await api.app.close();
  });

  /** Every vendor route on one install, with a body that passes validation, so only the org check can refuse it. */
  const installRoutes: Record<string, unknown> = {
    'GET /installs/{installId}': undefined,
    'GET /installs/{installId}/onboarding': undefined,
    'GET /installs/{installId}/onboarding/{file}': undefined,
    'POST /installs/{installId}/onboarding/restart': undefined,
    'POST /installs/{installId}/role-arn': { roleArn: `arn:aws:iam::${customerAccount.accountId}:role/x` },
    'GET /installs/{installId}/runner/registration': undefined,
    'POST /installs/{installId}/approval': { approve: true, by: 'mallory' },
    'POST /installs/{installId}/deprovision': { reason: 'not yours' },
    'GET /installs/{installId}/permissions': undefined,
    'POST /installs/{installId}/permissions/recheck': undefined,
    'POST /installs/{installId}/external-id/rotate': {},
  };

  it("answers another org's install exactly as a missing one, on every install route, and changes nothing", async () => {
    const openapi = (await (await fetch(`${api.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>;
    };
    const vendorRoutes = Object.entries(openapi.paths)
      // The customer page's routes take the customer link instead of a key: customer-page.test.ts checks them.
      .filter(([path]) => path.includes('{installId}') && !path.startsWith('/customer/'))
      .flatMap(([path, operations]) =>
        Object.entries(operations)
          // Routes on the API key: the document's global security, or their own naming it; not the token routes.
          .filter(([, operation]) => (operation.security ?? [{ apiKey: [] }]).some((scheme) => 'apiKey' in scheme))
          .map(([method]) => `${method.toUpperCase()} ${path}`),
      );
    // A new install route must be added to the table, so it is checked too.
    expect(vendorRoutes.sort()).toEqual(Object.keys(installRoutes).sort());

    await withTestWorker(
      async () => {
        const theirs = uniqueInstallId('org-b');
        const missing = uniqueInstallId('missing');
        expect((await api.call('POST', '/installs', startBody(theirs, { orgId: orgB }), as(keyB))).status).toBe(201);
        for (const [route, body] of Object.entries(installRoutes)) {
          const [method, template] = route.split(' ') as [string, string];
          const path = (id: string) => template.replace('{installId}', id).replace('{file}', 'trust-policy.json');
          const foreign = await api.call(method, path(theirs), body, as(keyA));
          const absent = await api.call(method, path(missing), body, as(keyA));
          expect({ route, status: foreign.status }).toEqual({ route, status: 404 });
          expect(JSON.stringify(foreign.body).replaceAll(theirs, '<id>')).toBe(
            JSON.stringify(absent.body).replaceAll(missing, '<id>'),
          );
        }
        const own = await api.call('GET', `/installs/${theirs}`, undefined, as(keyB));
        expect(own.status).toBe(200);
        expect(own.body.install).toMatchObject({ orgId: orgB, phase: 'awaiting_role', roleSubmissions: 0 });
        expect(own.body.install.onboarding.callback.state).toBe('open');
        expect((await api.call('POST', `/installs/${theirs}/deprovision`, {}, as(keyB))).status).toBe(202);
        const gone = await waitUntil(
          () => api.call('GET', `/installs/${theirs}`, undefined, as(keyB)),
          (response) => response.body.install.phase === 'deprovisioned',
        );
        expect(gone.body.install.deprovision.requestedBy).toBe('key-b');
      },
      { taskQueue },
    );
  });

  it("lists only the key's orgs, starts installs only for them, and an operator key sees every org", async () => {
    await withTestWorker(
      async () => {
        const mine = uniqueInstallId('org-a');
        const theirs = uniqueInstallId('org-b');
        expect((await api.call('POST', '/installs', startBody(mine, { orgId: orgA }), as(keyA))).status).toBe(201);
        expect((await api.call('POST', '/installs', startBody(theirs, { orgId: orgB }), as(keyB))).status).toBe(201);

        const refused = await api.call(
          'POST',
          '/installs',
          startBody(uniqueInstallId('org-b'), { orgId: orgB }),
          as(keyA),
        );
        expect(refused.status).toBe(403);
        expect(refused.body.type).toBe(problemType('forbidden'));

        // Visibility is eventually consistent: once the operator sees both, a key that sees one was filtered.
        const ids = (response: { body: { installs: Array<{ installId: string }> } }) =>
          response.body.installs.map((install) => install.installId);
        await waitUntil(
          () => api.call('GET', '/installs?limit=1000'),
          (response) => ids(response).includes(mine) && ids(response).includes(theirs),
        );
        const listed = await api.call('GET', '/installs?limit=1000', undefined, as(keyA));
        expect(ids(listed)).toContain(mine);
        expect(ids(listed)).not.toContain(theirs);
        expect(new Set(listed.body.installs.map((install: { orgId: string }) => install.orgId))).toEqual(
          new Set([orgA]),
        );
        const asked = await api.call('GET', `/installs?orgId=${orgB}`, undefined, as(keyA));
        expect(asked.body.installs).toEqual([]);

        const operator = await api.call('GET', `/installs/${theirs}`);
        expect(operator.body.install.orgId).toBe(orgB);
        await api.call('POST', `/installs/${mine}/deprovision`, {});
        await api.call('POST', `/installs/${theirs}/deprovision`, {});
      },
      { taskQueue },
    );
  });
});

describe('the HTTP API with authentication turned off', () => {
  it('serves vendor routes without a key', async () => {
    const api = await startTestApi({ taskQueue: 'unused', auth: false });
    try {
      const response = await fetch(`${api.url}/installs?orgId=nobody`);
      expect(response.status).toBe(200);
    } finally {
      await api.app.close();
    }
  });

  it('records teardown as asked for by anonymous', async () => {
    const taskQueue = `api-anonymous-${randomBytes(6).toString('hex')}`;
    const api = await startTestApi({ taskQueue, auth: false });
    try {
      await withTestWorker(
        async () => {
          const installId = uniqueInstallId('anonymous');
          const noKey = { authorization: '' };
          expect((await api.call('POST', '/installs', startBody(installId), noKey)).status).toBe(201);
          expect((await api.call('POST', `/installs/${installId}/deprovision`, {}, noKey)).status).toBe(202);
          const gone = await waitUntil(
            () => api.call('GET', `/installs/${installId}`, undefined, noKey),
            (response) => response.body.install.phase === 'deprovisioned',
          );
          expect(gone.body.install.deprovision.requestedBy).toBe('anonymous');
        },
        { taskQueue },
      );
    } finally {
      await api.app.close();
    }
  });
});

describe('the HTTP API logs', () => {
  it('never contain the API key or a runner token, whatever the requests carry', async () => {
    let logged = '';
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    const api = await startTestApi({ taskQueue: 'unused', logStream });
    try {
      const token = 'runner-token-that-must-not-be-logged';
      await api.call('GET', '/installs?orgId=nobody');
      // Fastify logs each request's URL (never its headers or body): a key or token put in a query string would show.
      await api.call('GET', `/installs?orgId=nobody&api_key=${api.apiKey}`);
      await api.call('GET', `/installs/no-such-install/onboarding?${token}`);
      await api.call(
        'POST',
        `/installs/no-such-install/runner/check-in?token=${token}`,
        { registrationId: 'ab', token, runnerId: 'r1' },
        { authorization: '' },
      );
      await api.call('POST', '/installs/no-such-install/runner/check-in', {
        registrationId: 'ab',
        token,
        runnerId: 'r1',
      });
      await api.call('POST', '/installs', { orgId: 'x', token });
      expect(logged.includes(api.apiKey)).toBe(false);
      expect(logged.includes(token)).toBe(false);
      expect(logged).toContain('"url":"/installs?orgId=nobody"');
      expect(logged).toContain('"url":"/installs?orgId=nobody&[redacted]"');
      expect(logged).toContain('"url":"/installs/no-such-install/runner/check-in?[redacted]"');
    } finally {
      await api.app.close();
    }
  });
});

describe('the HTTP API when Temporal answers late', () => {
  it('answers 503 temporal-unavailable with Retry-After, not 500, when a status query outwaits its deadline', async () => {
    const client = await testClient();
    // A deadline already passed: grpc-js fails the real query with DEADLINE_EXCEEDED, as a starved worker would.
    class LateInstalls extends InstallService {
      override status(installId: string) {
        return client.connection.withDeadline(Date.now() - 1, () => super.status(installId));
      }
    }
    const api = await startTestApi({ taskQueue: 'unused', installs: new LateInstalls(client, 'unused') });
    try {
      const response = await api.call('GET', '/installs/any-install/runner/registration');
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.body).toMatchObject({ type: problemType('temporal-unavailable'), status: 503 });
    } finally {
      await api.app.close();
    }
  });
});
