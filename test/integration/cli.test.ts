import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../client/cli/api-client';
import { buildCli } from '../../client/cli/program';
import type { OnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { useTestApi } from '../api-server';
import { createCustomerRole, customerAccount, stack, uniqueInstallId, waitUntil, withTestWorker } from '../helpers';
import { createManagementRoleStack, managementAccount, ouWithAccounts } from '../organization';
import { runnerSession } from '../runner-proof';

/** `start` for an install of the test customer's account. */
const startArgs = (installId: string) => [
  'start',
  '--id',
  installId,
  '--org',
  'org-cli',
  '--account',
  customerAccount.accountId,
  '--region',
  'us-east-1',
];

describe('the CLI, run in-process against the real API and Temporal server', () => {
  const { taskQueue, api } = useTestApi('cli');

  const run = (...args: string[]) => runWith({}, ...args);

  async function runWith(extraEnv: NodeJS.ProcessEnv, ...args: string[]): Promise<{ output: string; redraws: number }> {
    let output = '';
    let redraws = 0;
    const cli = buildCli({
      out: (text) => (output += text),
      clear: () => (redraws += 1),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      env: { INSTALL_API_URL: api.url, INSTALL_API_KEY: api.apiKey, ...extraEnv },
    });
    await cli.parseAsync(['node', 'install-orchestrator', ...args]);
    return { output, redraws };
  }

  it('starts an install, downloads its kit, submits the ARN, follows it, reads its permissions, rotates its External ID, lists and deprovisions it', async () => {
    await withTestWorker(
      async () => {
        const installId = uniqueInstallId('cli');
        const started = await run(...startArgs(installId));
        expect(started.output).toContain(`install ${installId}`);
        expect(started.output).toContain('phase   awaiting_role');
        expect(started.output).toContain('next    create the role');

        const out = mkdtempSync(join(tmpdir(), 'kit-'));
        await run('artifacts', installId, '--out', out);
        expect(readdirSync(out).sort()).toEqual([
          'create-role.sh',
          'deprovision-policy.json',
          'install-access-role.tf',
          'provision-policy.json',
          'role-template.json',
          'trust-policy.json',
          'update-role-stack.sh',
          'update-trust-policy.sh',
        ]);
        const trust = JSON.parse(
          readFileSync(join(out, 'trust-policy.json'), 'utf8'),
        ) as OnboardingArtifacts['trustPolicy'];
        const externalId = trust.Statement[0]?.Condition?.StringEquals?.['sts:ExternalId'];
        expect(readFileSync(join(out, 'create-role.sh'), 'utf8')).toContain(String(externalId));

        const kit = (await api.call('GET', `/installs/${installId}/onboarding`)).body as OnboardingArtifacts;
        const roleArn = await createCustomerRole(kit);
        expect((await run('submit-arn', installId, roleArn)).output).toContain('verified');

        const watched = await run('status', installId, '--watch', '--interval', '50');
        expect(watched.output).toMatch(/phase {3}handing_off/);
        expect(watched.redraws).toBeGreaterThanOrEqual(1);

        // The runner's part: the proof from its own credentials (a session of the sandbox's runner role), then check-in.
        const { install } = (await api.call('GET', `/installs/${installId}`)).body;
        const session = await runnerSession(install.runner.expectedIdentity);
        const proofRun = await runWith(
          {
            AWS_ACCESS_KEY_ID: session.accessKeyId,
            AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
            AWS_SESSION_TOKEN: session.sessionToken,
            AWS_ENDPOINT_URL_STS: stack.awsEndpoint,
          },
          'runner-proof',
          '--install',
          installId,
        );
        const registration = (await api.call('GET', `/installs/${installId}/runner/registration`)).body;
        const checkIn = await api.call(
          'POST',
          `/installs/${installId}/runner/check-in`,
          { ...registration, expiresAt: undefined, runnerId: 'cli-runner', identityProof: JSON.parse(proofRun.output) },
          { authorization: '' },
        );
        expect(checkIn.status).toBe(200);

        // Once active: where it stands on the permission versions (and a recheck), then a rotation asked for.
        await waitUntil(
          () => api.call('GET', `/installs/${installId}`),
          (answer) => answer.body.install.phase === 'active',
        );
        const versions = (await run('permissions', installId)).output;
        expect(versions).toMatch(/^phase {5}active$/m);
        expect(versions).toMatch(/^version {3}(\d+) of \1$/m);
        expect((await run('permissions', installId, '--recheck')).output).toMatch(/^version {3}(\d+) of \1$/m);
        const rotation = (await run('rotate-external-id', installId, '--expires-after', '2 hours')).output;
        expect(rotation).toMatch(/^rotation awaiting_trust_update, until \S+Z$/m);
        expect(rotation).toContain("customer  Update the role's trust policy");

        const listed = JSON.parse((await run('list', '--org', 'org-cli', '--json')).output) as Array<{
          installId: string;
        }>;
        expect(listed.map((install) => install.installId)).toContain(installId);

        expect((await run('deprovision', installId, '--reason', 'cli test')).output).toContain(
          'deprovisioning requested',
        );
      },
      { taskQueue },
    );
  });

  it('starts an organization install, downloads its kit, submits the management role, follows it to active with its account, re-syncs and deprovisions it', async () => {
    await withTestWorker(
      async () => {
        const { ouId, accounts } = await ouWithAccounts('cli', 1);
        const id = uniqueInstallId('cli-org').slice(0, 23);
        const start = (...extra: string[]) =>
          run(
            'org',
            'start',
            '--id',
            id,
            '--org',
            'org-cli',
            '--management-account',
            managementAccount.accountId,
            '--region',
            'us-east-1',
            '--ou',
            ouId,
            ...extra,
          );
        await expect(start('--tolerance', '150')).rejects.toThrow(/whole percentage from 0 to 100/);
        const started = (await start('--member-poll-interval', '1 second')).output;
        expect(started).toContain(`organization install ${id}  org org-cli`);
        expect(started).toMatch(/^phase {4}awaiting_management_role/m);
        expect(started).toContain(`OUs      ${ouId}`);
        expect(started).toMatch(/^next {5}create the management role/m);
        expect(started).toMatch(/^ {9}or create it as a stack .* it reports its ARN itself, until \S+Z$/m);

        const out = mkdtempSync(join(tmpdir(), 'org-kit-'));
        const kitRun = (await run('org', 'kit', id, '--out', out)).output;
        expect(readdirSync(out).sort()).toEqual([
          'create-management-role.sh',
          'create-management-stack.sh',
          'management-role-template.json',
          'member-role-template.json',
        ]);
        const externalId = /^External ID (\S+);/m.exec(kitRun)?.[1];
        expect(readFileSync(join(out, 'create-management-role.sh'), 'utf8')).toContain(`${externalId}`);
        const managementRoleTemplate = JSON.parse(readFileSync(join(out, 'management-role-template.json'), 'utf8'));
        const roleArn = await createManagementRoleStack(`${id}-management`, {
          managementRoleTemplate,
          externalId: externalId!,
        });
        expect((await run('org', 'submit-arn', id, roleArn)).output).toMatch(/^verified: /);

        const watched = await run('org', 'status', id, '--watch', '--interval', '100');
        const lastFrame = watched.output.slice(watched.output.lastIndexOf('organization install '));
        expect(lastFrame).toMatch(/^phase {4}active/m);
        expect(lastFrame).toContain(`role     ${roleArn} (verified `);
        expect(lastFrame).toMatch(new RegExp(`^ {2}${accounts[0]} {2}\\S+ {2}${id}-${accounts[0]}$`, 'm'));
        expect(watched.redraws).toBeGreaterThanOrEqual(1);

        const resynced = (await run('org', 'resync', id)).output;
        expect(Number(/^re-sync {2}(\d+) so far/m.exec(resynced)?.[1])).toBeGreaterThanOrEqual(2);

        expect((await run('org', 'deprovision', id, '--reason', 'cli test')).output).toBe(
          'deprovisioning requested (was active)\n',
        );
        await waitUntil(
          () => api.call('GET', `/organization-installs/${id}`),
          (answer) => answer.body.organizationInstall.phase === 'deprovisioned',
          90_000,
        );
      },
      { taskQueue },
    );
  });

  it('says what was wrong when the API refuses', async () => {
    const installId = uniqueInstallId('cli-bad');
    await withTestWorker(
      async () => {
        await run(...startArgs(installId));
        const refused = await run('submit-arn', installId, 'arn:aws:iam::111111111111:user/alice').catch(
          (error: unknown) => error,
        );
        expect(refused).toBeInstanceOf(ApiError);
        expect(refused).toMatchObject({
          status: 400,
          problemType: 'urn:install-orchestrator:problem:invalid-role-arn',
        });
        expect((refused as Error).message).toContain('IAM user');
        await run('deprovision', installId);
      },
      { taskQueue },
    );
  });
});
