import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { freePort } from '../../devstack/ports';
import { stopProcessAndWait } from '../../devstack/service-process';
import { sandboxStackName } from '../../domain/install-names';
import { oidcSubject } from '../../domain/oidc-trust';
import type { OnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { generateSigningKeyConfig, parseOidcIssuer } from '../../security/oidc-issuer';
import { requestDeprovisionUpdate, submitRoleArnUpdate } from '../../workflows/definitions';
import type { installWorkflow } from '../../workflows';
import { startTestApi, type TestApi } from '../api-server';
import { UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { bucketExists, customerClients, stackStatus } from '../customer-account';
import { closeTestClient, createCustomerRole, customerAccount, testClient } from '../helpers';
import { checkInRunner, installStatus, testInstallInput, waitForPhase } from '../install-driver';
import { readableHistory } from '../support/history-scan';
import { awsCredentialVariables, startWorkerProcess } from '../worker-process';

/** The kit's trust policy with sub matched by a StringLike pattern instead of pinned. */
function widenedSub(artifacts: OnboardingArtifacts, pattern: string) {
  const statement = artifacts.trustPolicy.Statement[0]!;
  const equals = (statement.Condition as { StringEquals: Record<string, string> }).StringEquals;
  const sub = Object.keys(equals).find((key) => key.endsWith(':sub'))!;
  return {
    ...artifacts.trustPolicy,
    Statement: [
      {
        ...statement,
        Condition: {
          StringEquals: Object.fromEntries(Object.entries(equals).filter(([key]) => key !== sub)),
          StringLike: { [sub]: pattern },
        },
      },
    ],
  };
}

/**
 * An install in OIDC trust mode, end to end against the real stack: the API (on loopback) is the OIDC issuer moto
 * fetches the JWKS from, and the worker is its own process holding no AWS credentials of any kind.
 */
describe('an install in OIDC trust mode', () => {
  let client: Client;
  let api: TestApi;
  let worker: ChildProcess | undefined;
  const taskQueue = `oidc-${randomUUID()}`;
  const keys = JSON.stringify({ keys: [generateSigningKeyConfig(`oidc-test-${randomUUID().slice(0, 8)}`)] });

  beforeAll(async () => {
    client = await testClient();
    const port = await freePort();
    const issuerUrl = `http://127.0.0.1:${port}`;
    api = await startTestApi({ taskQueue, oidcIssuer: parseOidcIssuer(issuerUrl, keys), port });
    worker = await startWorkerProcess({
      taskQueue,
      logDir: mkdtempSync(join(tmpdir(), 'oidc-worker-')),
      name: 'oidc-worker',
      withoutVendorCredentials: true,
      env: { OIDC_ISSUER_URL: issuerUrl, OIDC_SIGNING_KEYS: keys },
    });
  });
  afterAll(async () => {
    await stopProcessAndWait(worker?.pid, false);
    await api?.app.close();
    await closeTestClient();
  });

  it('publishes the discovery document and the JWKS without authentication, cacheable', async () => {
    const discovery = await fetch(`${api.url}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(discovery.headers.get('cache-control')).toBe('public, max-age=300');
    const document = (await discovery.json()) as { issuer: string; jwks_uri: string };
    expect(document).toMatchObject({ issuer: api.url, jwks_uri: `${api.url}/.well-known/jwks.json` });
    const jwks = (await (await fetch(document.jwks_uri)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('runs from start to deprovisioned with a worker that holds no AWS credentials', async () => {
    // The worker's environment, as the kernel holds it: no variable of the SDK's credential chain.
    const environ = readFileSync(`/proc/${worker!.pid}/environ`, 'utf8').split('\0');
    const names = environ.map((entry) => entry.slice(0, entry.indexOf('=')));
    expect(names.filter((name) => awsCredentialVariables.includes(name))).toEqual([]);
    expect(environ).toContain('VENDOR_AWS_CREDENTIALS=none');
    expect(environ).toContain('AWS_EC2_METADATA_DISABLED=true');

    const input = { ...testInstallInput('oidc'), trust: 'oidc' as const };
    const started = await api.call('POST', '/installs', input);
    expect(started.status).toBe(201);
    const handle = client.workflow.getHandle<typeof installWorkflow>(input.installId);
    await waitForPhase(handle, 'awaiting_role');
    const kit = await api.call('GET', `/installs/${input.installId}/onboarding`);
    expect(kit.status).toBe(200);
    const artifacts = kit.body as OnboardingArtifacts;
    const subject = oidcSubject(input.orgId, input.installId);
    const hostPath = api.url.replace('http://', '');
    expect(artifacts.oidcProvider).toMatchObject({ url: api.url, clientIds: ['sts.amazonaws.com'], subject });
    expect(artifacts.trustPolicy.Statement[0]).toMatchObject({
      Principal: { Federated: `arn:aws:iam::${customerAccount.accountId}:oidc-provider/${hostPath}` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${hostPath}:aud`]: 'sts.amazonaws.com', [`${hostPath}:sub`]: subject } },
    });
    expect(artifacts.quickCreateUrl).not.toContain('param_ExternalId');

    const roleArn = await createCustomerRole(artifacts);
    const outcome = await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
    expect(outcome).toMatchObject({ verified: true });
    await checkInRunner(handle, input.installId);
    const active = await waitForPhase(handle, 'active');
    expect(active.trust).toBe('oidc');
    // Nothing to rotate: the role trusts this install's token subject, not an External ID.
    const rotate = await api.call('POST', `/installs/${input.installId}/external-id/rotate`, {});
    expect(rotate.status).toBe(400);
    expect(rotate.body.detail).toContain('OIDC trust mode has no External ID to rotate');
    expect(active.role).toMatchObject({
      arn: roleArn,
      tokenProbes: { other_subject: 'refused', other_audience: 'refused', expired: 'refused', unknown_key: 'refused' },
      trustPolicyFindings: [],
      missingPermissions: [],
    });
    expect(active.role?.assumedRoleArn).toContain(`:assumed-role/${artifacts.roleName}/`);
    expect(await stackStatus(sandboxStackName(input.installId))).toBe('CREATE_COMPLETE');
    const bucket = active.cur!.bucket;
    expect(await bucketExists(bucket)).toBe(true);

    await handle.executeUpdate(requestDeprovisionUpdate, { args: [{ reason: 'test' }] });
    const final = await handle.result();
    expect(final.phase).toBe('deprovisioned');
    expect(final.leftovers).toEqual([]);
    expect(await stackStatus(sandboxStackName(input.installId))).toBeUndefined();
    expect(await bucketExists(bucket)).toBe(false);

    // No token in history: a JWT's header starts eyJ (base64url of `{"`), and nothing signed by our keys is there.
    const history = readableHistory(await handle.fetchHistory());
    expect(history.includes(subject)).toBe(true);
    expect(history.match(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g)).toBeNull();
  });

  it("refuses a role whose trust policy admits other installs' tokens (StringLike on sub): the probe proves it", async () => {
    const input = { ...testInstallInput('oidc-like'), trust: 'oidc' as const };
    expect((await api.call('POST', '/installs', input)).status).toBe(201);
    const handle = client.workflow.getHandle<typeof installWorkflow>(input.installId);
    await waitForPhase(handle, 'awaiting_role');
    const artifacts = (await api.call('GET', `/installs/${input.installId}/onboarding`)).body as OnboardingArtifacts;
    const roleArn = await createCustomerRole(artifacts, {
      trustPolicy: widenedSub(artifacts, `install:${input.orgId}:*`),
    });
    const outcome = await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
    expect(outcome).toMatchObject({ verified: false, error: { code: 'oidc_subject_not_enforced' } });
    const status = await installStatus(handle);
    expect(status.role?.tokenProbes).toEqual({
      other_subject: 'allowed',
      other_audience: 'refused',
      expired: 'refused',
      unknown_key: 'refused',
    });
    expect(status.role?.trustPolicyFindings?.map((finding) => finding.code)).toEqual(['oidc_subject_not_pinned']);
    await handle.terminate('test over');
  });

  it('re-verifies with the same token probes while active: degrades when sub is widened, recovers when pinned again', async () => {
    const input = { ...testInstallInput('oidc-drift', { reverifyEvery: '500 ms' }), trust: 'oidc' as const };
    expect((await api.call('POST', '/installs', input)).status).toBe(201);
    const handle = client.workflow.getHandle<typeof installWorkflow>(input.installId);
    await waitForPhase(handle, 'awaiting_role');
    const artifacts = (await api.call('GET', `/installs/${input.installId}/onboarding`)).body as OnboardingArtifacts;
    const roleArn = await createCustomerRole(artifacts);
    expect(await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] })).toMatchObject({ verified: true });
    await checkInRunner(handle, input.installId);
    await waitForPhase(handle, 'active');

    const { iam } = customerClients();
    const setTrust = (policy: unknown) =>
      iam.send(
        new UpdateAssumeRolePolicyCommand({ RoleName: artifacts.roleName, PolicyDocument: JSON.stringify(policy) }),
      );
    await setTrust(widenedSub(artifacts, `install:${input.orgId}:*`));
    const degraded = await waitForPhase(handle, 'degraded');
    expect(degraded.role?.drift).toMatchObject({ code: 'oidc_subject_not_enforced' });
    expect(degraded.role?.tokenProbes?.other_subject).toBe('allowed');

    await setTrust(artifacts.trustPolicy);
    const restored = await waitForPhase(handle, 'active');
    expect(restored.role?.drift).toBeUndefined();
    expect(restored.role?.tokenProbes).toEqual({
      other_subject: 'refused',
      other_audience: 'refused',
      expired: 'refused',
      unknown_key: 'refused',
    });
    await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
    expect((await handle.result()).phase).toBe('deprovisioned');
  });

  it('refuses trust oidc where the API has no issuer', async () => {
    const plain = await startTestApi({ taskQueue });
    try {
      const refused = await plain.call('POST', '/installs', { ...testInstallInput('no-issuer'), trust: 'oidc' });
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toMatch(/OIDC issuer/);
      expect((await fetch(`${plain.url}/.well-known/jwks.json`)).status).toBe(404);
    } finally {
      await plain.app.close();
    }
  });
});
