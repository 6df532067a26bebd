import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsEndpoints } from '../activities/aws/clients';
import { attachTemporalCluster, startTemporalCluster } from './cluster';
import { assertPortFree } from './ports';
import { bootstrapLocalAccounts, type LocalAccounts } from './local-accounts';
import { motoArgs, motoIsServing } from './moto';
import { projectRoot, stackDir } from './paths';
import { httpAnswers, startService, stopProcessAndWait } from './service-process';
import { devServerArgs, temporalIsServing } from './temporal';
import { ensureMotoPython, ensureTemporalCli, type Log } from './tools';

/** Where a running local stack answers; also what `npm run demo` and the worker read to find it. */
export interface StackEndpoints {
  temporalAddress: string;
  temporalNamespace: string;
  temporalUiUrl: string;
  awsEndpoint: string;
  curEndpoint: string;
  dataExportsEndpoint: string;
}

/** The dev server (one process, SQLite), or a cluster of Temporal services on PostgreSQL (devstack/cluster). */
export type TemporalServerKind = 'dev-server' | 'cluster';

export interface StackState extends StackEndpoints {
  /** Absent in a state file from before the cluster: the dev server. */
  temporalServer?: TemporalServerKind;
  /** The cluster's folder (its processes are listed in its own `cluster.json`, not in `pids`). */
  clusterDir?: string;
  pids: Record<string, number>;
  /** moto's identities, created at start; moto keeps state in memory, so they live exactly as long as it does. */
  accounts: LocalAccounts;
  /** The dev stack's runner token key (hex); real deployments configure their own. */
  runnerTokenKey: string;
}

const stateFile = join(stackDir, 'state.json');
/** The cluster's PostgreSQL data, configuration and logs; kept across `down` and `up` as the dev server's SQLite file is. */
export const stackClusterDir = join(stackDir, 'cluster');

/** Every AWS service the activities call, pointed at the local stack: moto, and the two billing endpoints. */
export function localAwsEndpoints(
  endpoints: Pick<StackEndpoints, 'awsEndpoint' | 'curEndpoint' | 'dataExportsEndpoint'>,
): AwsEndpoints {
  const all = endpoints.awsEndpoint;
  return {
    sts: all,
    iam: all,
    s3: all,
    cloudformation: all,
    cur: endpoints.curEndpoint,
    dataExports: endpoints.dataExportsEndpoint,
    organizations: all,
  };
}

/**
 * Every local customer account shares the CUR and Data Exports endpoints' one namespace, so they hold more than AWS's
 * five definitions (or exports) per account.
 */
export const sharedStackReportLimit = 1000;

function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}=${raw} is not a port number.`);
  return port;
}

function stackConfig() {
  const host = process.env.STACK_HOST ?? '127.0.0.1';
  return {
    host,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    temporalPort: envPort('TEMPORAL_PORT', 7233),
    uiPort: envPort('TEMPORAL_UI_PORT', 8233),
    motoPort: envPort('MOTO_PORT', 4566),
    curPort: envPort('CUR_PORT', 4580),
    dataExportsPort: envPort('DATA_EXPORTS_PORT', 4581),
  };
}

export function readStackState(): StackState | undefined {
  if (!existsSync(stateFile)) return undefined;
  return JSON.parse(readFileSync(stateFile, 'utf8')) as StackState;
}

async function stackAnswers(state: StackState): Promise<boolean> {
  const checks = await Promise.all([
    temporalIsServing(state.temporalAddress).catch(() => false),
    motoIsServing(state.awsEndpoint).catch(() => false),
    httpAnswers(state.curEndpoint).catch(() => false),
    // A state file from before the Data Exports endpoint has none: restart the stack to get one.
    state.dataExportsEndpoint ? httpAnswers(state.dataExportsEndpoint).catch(() => false) : false,
  ]);
  return checks.every(Boolean);
}

/**
 * Starts Temporal (the dev server, or with `temporalServer: 'cluster'` the multi-process cluster on PostgreSQL), moto,
 * the CUR and the Data Exports endpoints as background processes, or reuses the ones already up. Without
 * `temporalServer`, a running stack of either kind is reused and a new one runs the dev server.
 */
export async function stackUp(log: Log, options: { temporalServer?: TemporalServerKind } = {}): Promise<StackState> {
  const existing = readStackState();
  if (existing && (await stackAnswers(existing))) {
    const running = existing.temporalServer ?? 'dev-server';
    if (options.temporalServer && options.temporalServer !== running) {
      throw new Error(`A stack with the Temporal ${running} is running; stop it first with \`npm run stack -- down\`.`);
    }
    log(`stack already running (Temporal ${running})`);
    return existing;
  }
  if (existing) await stackDown(log);

  const temporalServer = options.temporalServer ?? 'dev-server';
  const config = stackConfig();
  await assertPortFree(config.host, config.temporalPort, 'Temporal gRPC', 'TEMPORAL_PORT');
  await assertPortFree(config.host, config.uiPort, 'Temporal Web UI', 'TEMPORAL_UI_PORT');
  await assertPortFree(config.host, config.motoPort, 'moto AWS endpoint', 'MOTO_PORT');
  await assertPortFree(config.host, config.curPort, 'CUR endpoint', 'CUR_PORT');
  await assertPortFree(config.host, config.dataExportsPort, 'Data Exports endpoint', 'DATA_EXPORTS_PORT');

  const motoPython = await ensureMotoPython(log);
  mkdirSync(stackDir, { recursive: true });

  const endpoints: StackEndpoints = {
    temporalAddress: `${config.host}:${config.temporalPort}`,
    temporalNamespace: config.namespace,
    temporalUiUrl: `http://${config.host}:${config.uiPort}`,
    awsEndpoint: `http://${config.host}:${config.motoPort}`,
    curEndpoint: `http://${config.host}:${config.curPort}`,
    dataExportsEndpoint: `http://${config.host}:${config.dataExportsPort}`,
  };
  const pids: Record<string, number> = {};
  let accounts: LocalAccounts;
  try {
    if (temporalServer === 'cluster') {
      await startTemporalCluster({
        dir: stackClusterDir,
        host: config.host,
        namespace: config.namespace,
        detached: true,
        ui: true,
        frontendPort: config.temporalPort,
        uiPort: config.uiPort,
        log,
      });
    } else {
      log(`starting Temporal dev server on ${endpoints.temporalAddress} (UI ${endpoints.temporalUiUrl})`);
      const temporal = await startService({
        name: 'Temporal dev server',
        command: await ensureTemporalCli(log),
        args: devServerArgs({
          ip: config.host,
          port: config.temporalPort,
          uiPort: config.uiPort,
          dbFilename: join(stackDir, 'temporal.sqlite'),
          namespace: config.namespace,
        }),
        logFile: join(stackDir, 'logs', 'temporal.log'),
        detached: true,
        isReady: () => temporalIsServing(endpoints.temporalAddress),
        readyTimeoutMs: 60_000,
      });
      pids.temporal = temporal.pid!;
    }

    log(`starting moto on ${endpoints.awsEndpoint}`);
    const moto = await startService({
      name: 'moto server',
      command: motoPython,
      args: motoArgs(config.host, config.motoPort),
      logFile: join(stackDir, 'logs', 'moto.log'),
      detached: true,
      isReady: () => motoIsServing(endpoints.awsEndpoint),
      readyTimeoutMs: 30_000,
    });
    pids.moto = moto.pid!;
    accounts = await bootstrapLocalAccounts(endpoints.awsEndpoint);

    log(`starting the CUR endpoint on ${endpoints.curEndpoint}`);
    pids.cur = await startEmulator('CUR endpoint', 'cur-emulator', endpoints.curEndpoint, [
      '--host',
      config.host,
      '--port',
      String(config.curPort),
      '--report-limit',
      String(sharedStackReportLimit),
    ]);
    log(`starting the Data Exports (CUR 2.0) endpoint on ${endpoints.dataExportsEndpoint}`);
    pids.dataExports = await startEmulator(
      'Data Exports endpoint',
      'data-exports-emulator',
      endpoints.dataExportsEndpoint,
      [
        '--host',
        config.host,
        '--port',
        String(config.dataExportsPort),
        '--export-limit',
        String(sharedStackReportLimit),
      ],
    );
  } catch (error) {
    await Promise.all(Object.values(pids).map((pid) => stopProcessAndWait(pid, true)));
    if (temporalServer === 'cluster') await attachTemporalCluster(stackClusterDir)?.stop();
    throw error;
  }
  const state: StackState = {
    ...endpoints,
    temporalServer,
    ...(temporalServer === 'cluster' ? { clusterDir: stackClusterDir } : {}),
    pids,
    accounts,
    runnerTokenKey: randomBytes(32).toString('hex'),
  };
  writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
  return state;
}

/** One of this project's own emulators (`devstack/<folder>/main.ts`) as a background process; returns its pid. */
async function startEmulator(name: string, folder: string, url: string, args: string[]): Promise<number> {
  const emulator = await startService({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', join(projectRoot, 'devstack', folder, 'main.ts'), ...args],
    logFile: join(stackDir, 'logs', `${folder}.log`),
    detached: true,
    isReady: () => httpAnswers(url),
    readyTimeoutMs: 20_000,
  });
  return emulator.pid!;
}

export async function stackDown(log: Log): Promise<void> {
  const state = readStackState();
  if (!state) {
    log('no stack running');
    return;
  }
  await Promise.all(
    Object.entries(state.pids).map(async ([name, pid]) => {
      await stopProcessAndWait(pid, true);
      log(`stopped ${name} (pid ${pid})`);
    }),
  );
  const cluster = state.clusterDir ? attachTemporalCluster(state.clusterDir) : undefined;
  if (cluster) {
    const pids = cluster.pids();
    await cluster.stop();
    log(
      `stopped the Temporal cluster (${Object.entries(pids)
        .map(([name, pid]) => `${name} ${pid}`)
        .join(', ')})`,
    );
  }
  rmSync(stateFile, { force: true });
}
