import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { attestRunner } from '../../client/api/runner-attestation';
import { RunnerProofRefused } from '../../domain/runner-identity';
import type { OnboardingArtifacts } from '../../domain/onboarding-artifacts';
import type { LocalAccount } from '../../devstack/local-accounts';
import { useTestApi } from '../api-server';
import {
  createCustomerRole,
  customerAccount,
  otherAccount,
  stack,
  testClient,
  uniqueInstallId,
  waitUntil,
  withTestWorker,
} from '../helpers';
import { readableHistory } from '../support/history-scan';
import { runnerProof, runnerSession } from '../runner-proof';

/**
 * Runner identity attestation against the local stack: the runner proves who it is with a signed
 * sts:GetCallerIdentity that the API sends to STS (moto, which checks the signature against the secret key it issued).
 */
const problemType = (slug: string) => `urn:install-orchestrator:problem:${slug}`;
const anonymous = { authorization: '' };

/** A role in `account` trusting that account (as the sandbox's runner role does), named `roleName`. */
async function roleTrustingItsAccount(account: LocalAccount, roleName: string): Promise<string> {
  const iam = new IAMClient({ region: 'us-east-1', endpoint: stack.awsEndpoint, credentials: account.credentials });
  try {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${account.accountId}:root` },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    return created.Role!.Arn!;
  } finally {
    iam.destroy();
  }
}

/** A loopback listener that counts the connections it sees (and answers each with `answer`). */
async function countingListener(
  answer: (respond: (status: number, headers: Record<string, string>) => void) => void,
): Promise<{ server: Server; url: string; connections: () => number }> {
  let seen = 0;
  const server = createServer((_request, response) => {
    answer((status, headers) => response.writeHead(status, headers).end());
  });
  server.on('connection', () => (seen += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/`, connections: () => seen };
}

describe("the runner check-in's identity proof, checked by STS on the local stack", () => {
  const { taskQueue, api } = useTestApi('attest');

  it('refuses every proof that is not a fresh session of the runner role in the install account, then takes one that is', async () => {
    await withTestWorker(
      async () => {
        const installId = uniqueInstallId('attest');
        const started = await api.call('POST', '/installs', {
          installId,
          orgId: 'org-attest',
          awsAccountId: customerAccount.accountId,
          region: 'us-east-1',
          timeouts: { rolePropagation: '5 seconds', runnerCheckIn: '10 minutes' },
        });
        expect(started.status).toBe(201);
        const kit = (await api.call('GET', `/installs/${installId}/onboarding`)).body as OnboardingArtifacts;
        const roleArn = await createCustomerRole(kit);
        expect((await api.call('POST', `/installs/${installId}/role-arn`, { roleArn })).body).toMatchObject({
          verified: true,
        });
        const registration = await waitUntil(
          () => api.call('GET', `/installs/${installId}/runner/registration`),
          (response) => response.status === 200,
        );
        const { install } = (await api.call('GET', `/installs/${installId}`)).body;
        const runnerRoleArn = install.runner.expectedIdentity as string;
        // The sandbox stack created the role the runner runs as, in the customer's account.
        expect(runnerRoleArn).toMatch(new RegExp(`^arn:aws:iam::${customerAccount.accountId}:role/i\\d+-.*runner$`));
        expect(install.sandbox.outputs.RunnerRoleArn).toBe(runnerRoleArn);

        const checkIn = (identityProof: unknown) =>
          api.call(
            'POST',
            `/installs/${installId}/runner/check-in`,
            {
              registrationId: registration.body.registrationId,
              token: registration.body.token,
              runnerId: 'runner-1',
              ...(identityProof === undefined ? {} : { identityProof }),
            },
            anonymous,
          );
        const expectRefused = async (identityProof: unknown, slug: string, status: number) => {
          const answer = await checkIn(identityProof);
          expect({ status: answer.status, type: answer.body.type }).toEqual({ status, type: problemType(slug) });
          expect(answer.body.code).toBe(slug.replace(/-/g, '_'));
          expect(answer.body.fix).toEqual(expect.any(String));
          return answer;
        };

        await expectRefused(undefined, 'runner-proof-missing', 401);
        // A proof signed six minutes ago: the API refuses it on its date, before STS (which would take it for 15).
        await expectRefused(
          await runnerProof(installId, runnerRoleArn, { clockOffsetMs: -6 * 60_000 }),
          'runner-proof-expired',
          401,
        );
        // Another role of the same account, trusted the same way.
        const otherRole = await roleTrustingItsAccount(customerAccount, `not-the-runner-${randomUUID().slice(0, 8)}`);
        const wrongRole = await expectRefused(await runnerProof(installId, otherRole), 'runner-wrong-role', 403);
        expect(wrongRole.body.detail).toContain('not-the-runner-');
        // The runner role's very name, in another account.
        const runnerRoleName = runnerRoleArn.split('/').pop()!;
        const lookalike = await roleTrustingItsAccount(otherAccount, runnerRoleName);
        await expectRefused(
          await runnerProof(installId, lookalike, { account: otherAccount }),
          'runner-wrong-account',
          403,
        );
        // A valid proof with one signed header changed after signing: STS (moto) finds the signature wrong.
        const session = await runnerSession(runnerRoleArn);
        const genuine = await runnerProof(installId, runnerRoleArn, { credentials: session });
        await expectRefused(
          { ...genuine, headers: { ...genuine.headers, 'amz-sdk-invocation-id': randomUUID() } },
          'runner-proof-signature-invalid',
          401,
        );
        // Signed with another secret key for the same access key id.
        const forged = await runnerProof(installId, runnerRoleArn, {
          credentials: { ...session, secretAccessKey: `x${session.secretAccessKey.slice(1)}` },
        });
        await expectRefused(forged, 'runner-proof-signature-invalid', 401);
        // A proof made for another install of the same runner.
        await expectRefused(
          await runnerProof(`${installId}-x`, runnerRoleArn, { credentials: session }),
          'runner-proof-wrong-server',
          401,
        );
        // A proof addressed to a host of the runner's choosing: the API never connects to it.
        const elsewhere = await countingListener((respond) => respond(200, {}));
        try {
          await expectRefused(
            await runnerProof(installId, runnerRoleArn, { credentials: session, endpoint: elsewhere.url }),
            'runner-proof-wrong-endpoint',
            400,
          );
          await expectRefused({ ...genuine, url: elsewhere.url }, 'runner-proof-wrong-endpoint', 400);
          await expectRefused(
            { ...genuine, url: elsewhere.url, headers: { ...genuine.headers, host: new URL(elsewhere.url).host } },
            'runner-proof-wrong-endpoint',
            400,
          );
          expect(elsewhere.connections()).toBe(0);
        } finally {
          elsewhere.server.close();
        }

        // Nothing above reached the install: it still waits, and the genuine proof checks the runner in.
        expect((await api.call('GET', `/installs/${installId}`)).body.install.phase).toBe('handing_off');
        const accepted = await checkIn(genuine);
        expect(accepted.status).toBe(200);
        const active = await waitUntil(
          () => api.call('GET', `/installs/${installId}`),
          (response) => response.body.install.phase === 'active',
        );
        expect(active.body.install.runner.verifiedIdentity).toBe(
          `arn:aws:sts::${customerAccount.accountId}:assumed-role/${runnerRoleName}/runner-test`,
        );
        expect(JSON.stringify(active.body.install)).not.toContain(session.sessionToken);
        // Only the session ARN went to the install: no part of the proof is in its history.
        const history = readableHistory(await (await testClient()).workflow.getHandle(installId).fetchHistory());
        expect(history).toContain(active.body.install.runner.verifiedIdentity);
        for (const secret of [session.sessionToken!, session.accessKeyId, genuine.headers.authorization!.slice(-64)]) {
          expect(history).not.toContain(secret);
        }
        expect((await api.call('POST', `/installs/${installId}/deprovision`, {})).status).toBe(202);
        await waitUntil(
          () => api.call('GET', `/installs/${installId}`),
          (response) => response.body.install.phase === 'deprovisioned',
        );
      },
      { taskQueue },
    );
  });

  it('never follows a redirect from the STS endpoint, and says STS could not verify the proof', async () => {
    const target = await countingListener((respond) => respond(200, {}));
    const redirecting = await countingListener((respond) => respond(307, { location: target.url }));
    try {
      const roleArn = await roleTrustingItsAccount(customerAccount, `redirected-${randomUUID().slice(0, 8)}`);
      const proof = await runnerProof('redirected', roleArn, { endpoint: redirecting.url });
      const refusal = await attestRunner(
        proof,
        { installId: 'redirected', region: 'us-east-1', expectedRoleArn: roleArn },
        { stsEndpoint: () => redirecting.url },
      ).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(RunnerProofRefused);
      expect(refusal).toMatchObject({ code: 'runner_proof_unverifiable', message: expect.stringContaining('307') });
      expect(redirecting.connections()).toBe(1);
      expect(target.connections()).toBe(0);
    } finally {
      redirecting.server.close();
      target.server.close();
    }
  });
});
