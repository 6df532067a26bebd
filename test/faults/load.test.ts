import type { OnboardingArtifacts } from '../../domain/onboarding-artifacts';
import type { InstallStatus } from '../../workflows/definitions';
import { useTestApi } from '../api-server';
import { createCustomerRole, customerAccount, uniqueInstallId, waitUntil, withTestWorker } from '../helpers';
import { accountCensus } from '../customer-account';
import { installResourceNames } from '../../domain/install-names';

const installs = Number(process.env.LOAD_INSTALLS ?? 200);
const inFlight = 40;

async function inBatches<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

describe(`load: ${installs} installs at once through the API, against real Temporal, moto and the CUR endpoint`, () => {
  const { taskQueue, api } = useTestApi('load');

  it('completes every one from start to deprovisioned, losing none and leaving nothing behind', async () => {
    const ids = Array.from({ length: installs }, () => uniqueInstallId('load'));
    const outcome = new Map<string, string>();
    await withTestWorker(
      async () => {
        // All started before any is driven: that many live installs at once.
        await inBatches(ids, inFlight, async (installId) => {
          const started = await api.call('POST', '/installs', {
            installId,
            orgId: 'org-load',
            awsAccountId: customerAccount.accountId,
            region: 'us-east-1',
            timeouts: { rolePropagation: '2 minutes', runnerCheckIn: '5 minutes' },
          });
          expect(started.status).toBe(201);
        });
        await inBatches(ids, inFlight, async (installId) => {
          const path = `/installs/${installId}`;
          const kit = (await api.call('GET', `${path}/onboarding`)).body as OnboardingArtifacts;
          const roleArn = await createCustomerRole(kit);
          const verified = await api.call('POST', `${path}/role-arn`, { roleArn, waitSeconds: 60 });
          expect(verified.body).toMatchObject({ verified: true });
          const registration = await waitUntil(
            () => api.call('GET', `${path}/runner/registration`),
            (response) => response.status === 200,
            120_000,
          );
          const { registrationId, token } = registration.body as { registrationId: string; token: string };
          expect(
            (await api.call('POST', `${path}/runner/check-in`, { registrationId, token, runnerId: 'load' })).status,
          ).toBe(200);
          await waitUntil(
            () => api.call('GET', path),
            (response) => (response.body.install as InstallStatus).phase === 'active',
            120_000,
          );
          expect((await api.call('POST', `${path}/deprovision`, {})).status).toBe(202);
          const final = await waitUntil(
            () => api.call('GET', path),
            (response) => (response.body.install as InstallStatus).phase === 'deprovisioned',
            120_000,
          );
          outcome.set(installId, `${final.body.install.phase}:${final.body.install.deprovision.leftovers.length}`);
        });
      },
      { taskQueue },
    );
    const lost = ids.filter((id) => outcome.get(id) !== 'deprovisioned:0');
    process.stderr.write(
      `load: ${installs} started, ${installs - lost.length} deprovisioned cleanly, ${lost.length} lost\n`,
    );
    expect(lost).toEqual([]);
    // Census: one listing per kind of the whole account, compared with what every one of the installs owned.
    const census = await accountCensus();
    const owned = ids.map((installId) =>
      installResourceNames({ installId, awsAccountId: customerAccount.accountId, region: 'us-east-1' }),
    );
    const stackNames = new Set(owned.map((names) => names.stackName));
    const curBuckets = new Set(owned.map((names) => names.curBucket));
    const sandboxPrefixes = owned.map((names) => names.sandboxResourcePrefix);
    const reportNames = new Set(owned.map((names) => names.curReportName));
    const exportNames = new Set(owned.map((names) => names.dataExportName));
    const left = {
      stacks: census.stacks.filter((stack) => stackNames.has(stack.name) && stack.status !== 'DELETE_COMPLETE'),
      curBuckets: census.buckets.filter((bucket) => curBuckets.has(bucket)),
      sandboxBuckets: census.buckets.filter((bucket) => sandboxPrefixes.some((prefix) => bucket.startsWith(prefix))),
      reports: census.reports.filter((name) => reportNames.has(name)),
      dataExports: census.dataExports.filter((name) => exportNames.has(name)),
    };
    expect(left).toEqual({ stacks: [], curBuckets: [], sandboxBuckets: [], reports: [], dataExports: [] });
    // And each install did create its stack, once: the census sees exactly one (deleted) stack per install.
    const created = census.stacks.filter((stack) => stackNames.has(stack.name));
    expect(new Set(created.map((stack) => stack.name)).size).toBe(installs);
    expect(created).toHaveLength(installs);
  }, 900_000);
});
