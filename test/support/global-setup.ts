import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundleOptions } from '../../worker/install-worker';
import { bootstrapLocalAccounts } from '../../devstack/local-accounts';
import { motoArgs, motoIsServing } from '../../devstack/moto';
import { freePort } from '../../devstack/ports';
import { startService, stopProcessAndWait } from '../../devstack/service-process';
import { ensureTemporalServer, ensureTemporalUiServer } from '../../devstack/cluster';
import { ensureMotoPython, ensureTemporalCli, ensureTimeSkippingServer } from '../../devstack/tools';
import { startCurEmulator } from '../../devstack/cur-emulator/server';
import { startDataExportsEmulator } from '../../devstack/data-exports-emulator/server';
import { sharedStackReportLimit } from '../../devstack/stack';
import { installSearchAttributes } from '../../workflows/search-attributes';
import { scanHistoriesForSecrets } from './history-scan';
import { quietBundlerLogger } from './quiet-bundler-logger';
import { testStackFileEnv, type TestStack } from './test-stack';

/**
 * One real stack for the whole run: the Temporal dev server (the CLI the project builds, handed to
 * @temporalio/testing as an existing path), moto, the CUR and the Data Exports endpoints, on free loopback ports. Any failure here
 * fails the run: no test may skip because a server is missing.
 */
export default async function globalSetup(): Promise<void> {
  // The AWS SDK warns once per process about Node 20's end of support; said once in the README instead.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const log = (line: string) => process.stderr.write(`test stack: ${line}\n`);
  const workDir = mkdtempSync(join(tmpdir(), 'install-orchestrator-test-'));
  const temporalCli = await ensureTemporalCli(log);
  const motoPython = await ensureMotoPython(log);
  const timeSkippingServerPath = await ensureTimeSkippingServer(log);
  // Built here, loudly, rather than inside the cluster tests' beforeAll, where a first build would meet its timeout.
  await ensureTemporalServer(log);
  await ensureTemporalUiServer(log);
  const cleanups: Array<() => Promise<void>> = [];
  const accountsRef: { current?: Awaited<ReturnType<typeof bootstrapLocalAccounts>> } = {};
  globalThis.__testStackCleanups = cleanups;

  const uiPort = await freePort();
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCli },
      ip: '127.0.0.1',
      searchAttributes: [...installSearchAttributes],
      // The Web UI is on for the browser test, which checks that an install can be found and read there.
      ui: true,
      uiPort,
    },
  });
  cleanups.push(() => temporal.teardown());
  // Before the server goes: no history any test produced may hold a key, a session credential or a token.
  cleanups.push(async () => {
    const secrets = [accountsRef.current?.vendor, ...(accountsRef.current?.customers ?? [])].flatMap((account) =>
      account ? [account.credentials.secretAccessKey] : [],
    );
    const { scanned, findings } = await scanHistoriesForSecrets(temporal.client, secrets);
    log(`history scan: ${scanned} workflow histories read, ${findings.length} holding a secret`);
    if (findings.length > 0) throw new Error(`Secrets found in workflow history: ${findings.join(', ')}`);
  });

  const motoPort = await freePort();
  const awsEndpoint = `http://127.0.0.1:${motoPort}`;
  const moto = await startService({
    name: 'moto server',
    command: motoPython,
    args: motoArgs('127.0.0.1', motoPort),
    logFile: join(workDir, 'moto.log'),
    detached: false,
    isReady: () => motoIsServing(awsEndpoint),
    readyTimeoutMs: 30_000,
  });
  cleanups.push(() => stopProcessAndWait(moto.pid, false));
  const accounts = await bootstrapLocalAccounts(awsEndpoint);
  accountsRef.current = accounts;

  const cur = await startCurEmulator({ host: '127.0.0.1', port: 0, reportLimit: sharedStackReportLimit });
  cleanups.push(() => cur.close());
  const dataExports = await startDataExportsEmulator({
    host: '127.0.0.1',
    port: 0,
    accountId: accounts.customers[0]!.accountId,
    exportLimit: sharedStackReportLimit,
  });
  cleanups.push(() => dataExports.close());

  // Bundling takes seconds; doing it once here spares every test file from doing it again.
  const bundle = await bundleWorkflowCode({ ...workflowBundleOptions, logger: quietBundlerLogger });
  const workflowBundlePath = join(workDir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);

  const stack: TestStack = {
    temporalAddress: temporal.address,
    temporalUiUrl: `http://127.0.0.1:${uiPort}`,
    awsEndpoint,
    curEndpoint: cur.url,
    dataExportsEndpoint: dataExports.url,
    accounts,
    logDir: workDir,
    workflowBundlePath,
    timeSkippingServerPath,
  };
  const stackFile = join(workDir, 'stack.json');
  writeFileSync(stackFile, JSON.stringify(stack));
  // Jest starts its test workers after globalSetup, and they inherit this environment.
  process.env[testStackFileEnv] = stackFile;
}
