import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { clusterServiceNames, startTemporalCluster, type TemporalCluster } from '../../devstack/cluster';
import type { OnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { requestDeprovisionUpdate } from '../../workflows/definitions';
import { checkInRunnerThroughApi, useTestApi } from '../api-server';
import { expectedCensus, installsCensus } from '../customer-account';
import {
  closeTestClient,
  createCustomerRole,
  customerAccount,
  stack,
  testClient,
  uniqueInstallId,
  waitUntil,
  withTestWorker,
} from '../helpers';
import { onboardUntilActive, testInstallInput } from '../install-driver';
import { scanHistoriesForSecrets } from '../support/history-scan';
import { runBenchSmoke } from '../bench/bench-smoke';

const oneOfEach = expectedCensus(1, 'up');
const none = expectedCensus(1, 'deprovisioned');

/**
 * The orchestrator on a Temporal cluster shaped like production: frontend, matching, worker and two history services
 * as separate processes on PostgreSQL with SQL visibility, started by this file (moto and the billing endpoints are
 * the shared test stack's).
 */
describe('the orchestrator on a multi-process Temporal cluster on PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'install-orchestrator-cluster-'));
  let cluster: TemporalCluster;
  let client: Client;
  const log = (line: string) => process.stderr.write(`cluster: ${line}\n`);

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startTemporalCluster({
      dir,
      namespace: 'default',
      detached: false,
      ui: true,
      log,
    });
    log(`started in ${((Date.now() - started) / 1000).toFixed(1)}s; logs in ${cluster.logDir}`);
    client = await testClient(cluster.frontendAddress);
  }, 180_000);

  afterAll(async () => {
    try {
      // As globalSetup does for the shared server: no history this file produced may hold a key or a credential.
      if (client) {
        const secrets = [stack.accounts.vendor, ...stack.accounts.customers].map(
          (account) => account.credentials.secretAccessKey,
        );
        // A client of its own: the API's afterAll may have closed the file's shared one.
        const { scanned, findings } = await scanHistoriesForSecrets(await testClient(cluster.frontendAddress), secrets);
        log(`history scan: ${scanned} workflow histories read, ${findings.length} holding a secret`);
        expect(findings).toEqual([]);
      }
    } finally {
      await closeTestClient();
      await cluster?.stop();
      // The logs stay for a look after the run; PostgreSQL's data (about 70 MB) does not.
      rmSync(join(dir, 'postgres'), { recursive: true, force: true });
    }
  });

  const { taskQueue, api } = useTestApi('cluster-api', { temporalAddress: () => cluster.frontendAddress });

  it('runs each service in its own process, with two history hosts in the membership', async () => {
    const pids = cluster.pids();
    expect(Object.keys(pids).sort()).toEqual([...clusterServiceNames, 'postgres', 'ui'].sort());
    expect(new Set([process.pid, ...Object.values(pids)]).size).toBe(8);

    const members = await cluster.members();
    const historyHosts = members.filter((member) => member.role === 'history').map((member) => member.address);
    expect(historyHosts.sort()).toEqual(
      [cluster.ports['history-1'].membership, cluster.ports['history-2'].membership]
        .map((port) => `127.0.0.1:${port}`)
        .sort(),
    );
    expect(members.map((member) => member.role).sort()).toEqual([
      'frontend',
      'history',
      'history',
      'matching',
      'worker',
    ]);
    // The UI server reads the cluster through its frontend.
    const namespaces = (await (await fetch(`${cluster.uiUrl}/api/v1/namespaces`)).json()) as {
      namespaces: Array<{ namespaceInfo: { name: string } }>;
    };
    expect(namespaces.namespaces.map((namespace) => namespace.namespaceInfo.name)).toContain('default');
  });

  it('onboards an account end to end and deprovisions it leaving nothing behind', async () => {
    await withTestWorker(
      async ({ taskQueue: workerQueue }) => {
        const input = testInstallInput('cluster-happy');
        const { handle, active } = await onboardUntilActive(client, workerQueue, input);
        expect(active.role).toMatchObject({ withoutExternalId: 'refused', missingPermissions: [] });
        expect(active.sandbox?.stackStatus).toBe('CREATE_COMPLETE');
        expect(active.cur?.bucket).toBeDefined();
        expect(await installsCensus([input])).toEqual(oneOfEach);

        await handle.executeUpdate(requestDeprovisionUpdate, { args: [{ reason: 'test' }] });
        const final = await handle.result();
        expect(final.phase).toBe('deprovisioned');
        expect(final.leftovers).toEqual([]);
        expect(await installsCensus([input])).toEqual(none);
      },
      { temporalAddress: cluster.frontendAddress },
    );
  });

  it('serves the API: start, status, a search-attribute list from SQL visibility, onboarding, deprovision', async () => {
    await withTestWorker(
      async () => {
        const installId = uniqueInstallId('cluster-api');
        // An org of its own, so the list can only find this install if the visibility filter works.
        const orgId = `org-${installId}`;
        const body = {
          installId,
          orgId,
          awsAccountId: customerAccount.accountId,
          region: 'us-east-1',
          timeouts: { rolePropagation: '5 seconds', runnerCheckIn: '30 seconds' },
        };
        const started = await api.call('POST', '/installs', body);
        expect(started.status).toBe(201);
        expect(started.body.install).toMatchObject({ installId, phase: 'awaiting_role' });
        expect((await api.call('GET', `/installs/${installId}`)).body.install).toMatchObject({
          installId,
          orgId,
          phase: 'awaiting_role',
        });
        const listedWaiting = await waitUntil(
          () => api.call('GET', `/installs?orgId=${orgId}&phase=awaiting_role`),
          (response) => response.body.installs.length > 0,
        );
        expect(listedWaiting.body.installs.map((install: { installId: string }) => install.installId)).toEqual([
          installId,
        ]);
        expect((await api.call('GET', `/installs?orgId=org-other&phase=awaiting_role`)).body.installs).toEqual([]);

        const kit = (await api.call('GET', `/installs/${installId}/onboarding`)).body as OnboardingArtifacts;
        const roleArn = await createCustomerRole(kit);
        expect((await api.call('POST', `/installs/${installId}/role-arn`, { roleArn })).body).toMatchObject({
          verified: true,
        });
        await checkInRunnerThroughApi(api, installId, 'runner-1');
        await waitUntil(
          () => api.call('GET', `/installs/${installId}`),
          (response) => response.body.install.phase === 'active',
        );
        // The phase search attribute moved with the install: the filter now finds it as active, and no longer waiting.
        await waitUntil(
          () => api.call('GET', `/installs?orgId=${orgId}&phase=active`),
          (response) => response.body.installs.length === 1,
        );
        expect((await api.call('GET', `/installs?orgId=${orgId}&phase=awaiting_role`)).body.installs).toEqual([]);
        expect(await installsCensus([body])).toEqual(oneOfEach);

        expect((await api.call('POST', `/installs/${installId}/deprovision`, { reason: 'done' })).status).toBe(202);
        const final = await waitUntil(
          () => api.call('GET', `/installs/${installId}`),
          (response) => response.body.install.phase === 'deprovisioned',
        );
        expect(final.body.install.deprovision.leftovers).toEqual([]);
        expect(await installsCensus([body])).toEqual(none);
      },
      { taskQueue, temporalAddress: cluster.frontendAddress },
    );
  });

  it('runs the benchmark smoke with three worker processes, writing every figure', async () => {
    await runBenchSmoke({ temporalAddress: cluster.frontendAddress, namespace: 'default', workers: 3 });
  });
});
