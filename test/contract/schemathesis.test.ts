import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateSchemathesis } from '../../devstack/tools';
import type { OnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { InstallService } from '../../client/install-service';
import { startTestApi, type TestApi } from '../api-server';
import {
  closeTestClient,
  createCustomerRole,
  customerAccount,
  testClient,
  uniqueInstallId,
  waitUntil,
  withTestWorker,
} from '../helpers';

/**
 * What a run may take at most: one schemathesis run is this file's only test. About 2 minutes in CI, but one loaded
 * run took 278 s: the bound is for a run that hangs, not a slow one.
 */
const runTimeoutMs = 10 * 60_000;

function runSchemathesis(
  st: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(st, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), runTimeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

/**
 * An install of the test customer's account brought through the API to `phase` with a real role: where the runner
 * registration (handing_off) and the approval (awaiting_approval) do their real work.
 */
async function installWaitingIn(api: TestApi, phase: 'handing_off' | 'awaiting_approval'): Promise<string> {
  const installId = uniqueInstallId(`contract-${phase === 'handing_off' ? 'runner' : 'approval'}`);
  const started = await api.call('POST', '/installs', {
    installId,
    orgId: 'org-contract',
    awsAccountId: customerAccount.accountId,
    region: 'us-east-1',
    timeouts: { rolePropagation: '5 seconds', runnerCheckIn: '10 minutes' },
    ...(phase === 'awaiting_approval' ? { approval: { required: true } } : {}),
  });
  expect(started.status).toBe(201);
  const kit = (await api.call('GET', `/installs/${installId}/onboarding`)).body as OnboardingArtifacts;
  const verified = await api.call('POST', `/installs/${installId}/role-arn`, {
    roleArn: await createCustomerRole(kit),
  });
  expect(verified.body).toMatchObject({ verified: true });
  await waitUntil(
    () => api.call('GET', `/installs/${installId}`),
    (response) => response.body.install.phase === phase,
  );
  return installId;
}

describe('the API against its own OpenAPI document', () => {
  const taskQueue = `contract-${randomBytes(8).toString('hex')}`;
  let api: TestApi;
  beforeAll(async () => {
    // Installs of other test files share the namespace; listed, schemathesis would take their ids and act on them.
    const installs = new InstallService(await testClient(), taskQueue, { listOwnTaskQueueOnly: true });
    api = await startTestApi({ taskQueue, installs });
  });
  afterAll(async () => {
    await api?.app.close();
    // The run leaves installs waiting (and role verifications whose outcome the API stopped waiting for after its
    // 202): end them, so nothing of this file runs on in the shared server or polls on a closed connection.
    const client = await testClient();
    for await (const execution of client.workflow.list({
      query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
    })) {
      await client.workflow
        .getHandle(execution.workflowId, execution.runId)
        .terminate('contract test finished')
        .catch(() => undefined);
    }
    await closeTestClient();
  });

  it(
    'passes every schemathesis check on every operation and link, with no 5xx',
    async () => {
      const st = locateSchemathesis();
      if (!st) throw new Error('schemathesis is not installed: run `npm run setup` (scripts/setup.sh installs it).');
      const reports = mkdtempSync(join(tmpdir(), 'schemathesis-'));
      const { code, output } = await withTestWorker(
        async () => {
          const [handingOff, awaitingApproval] = await Promise.all([
            installWaitingIn(api, 'handing_off'),
            installWaitingIn(api, 'awaiting_approval'),
          ]);
          return runSchemathesis(
            st,
            [
              '--config-file',
              join(__dirname, 'schemathesis.toml'),
              'run',
              `${api.url}/openapi.json`,
              '--url',
              api.url,
              '--checks',
              'all',
              '--max-examples',
              process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '30',
              '--seed',
              process.env.SCHEMATHESIS_SEED ?? '1512',
              // One worker: with two threads, hypothesis's ast.parse of its own lambdas trips CPython 3.11's "AST
              // constructor recursion depth mismatch" now and then (a run on 2026-12-01 errored on GET /installs).
              '--workers',
              '1',
              '--report',
              'junit',
              '--report-junit-path',
              join(reports, 'junit.xml'),
              '--output-truncate',
              'false',
            ],
            {
              ...process.env,
              PYTHONPATH: __dirname,
              SCHEMATHESIS_HOOKS: 'schemathesis_hooks',
              CONTRACT_API_KEY: api.apiKey,
              CONTRACT_HANDING_OFF_INSTALL: handingOff,
              CONTRACT_AWAITING_APPROVAL_INSTALL: awaitingApproval,
              NO_COLOR: '1',
            },
            // schemathesis keeps a cache in its working directory: the run's own, not the checkout.
            reports,
          );
        },
        { taskQueue },
      );
      console.log(output);
      const junit = readFileSync(join(reports, 'junit.xml'), 'utf8');
      expect({ code, summary: output.trim().split('\n').slice(-1)[0] }).toMatchObject({ code: 0 });
      expect(junit).not.toContain('<failure');
      // Every operation of the document was reached, not only the ones whose data came easily.
      const document = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, object> };
      // schemathesis leaves out the operation that serves the document it reads.
      const operations = Object.entries(document.paths)
        .filter(([path]) => path !== '/openapi.json')
        .reduce((sum, [, methods]) => sum + Object.keys(methods).length, 0);
      expect(output).toMatch(new RegExp(`Selected: ${operations}/${operations}\\s+Tested: ${operations}\\b`));
    },
    runTimeoutMs + 2 * 60_000,
  );
});
