import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, freePortInRange } from '../ports';
import { isAlive, stopProcess, stopProcessAndWait, waitForExit } from '../service-process';
import type { Log } from '../tools';
import { ensureTemporalServer, ensureTemporalUiServer } from './builds';
import { clusterServesNamespace, registerNamespace } from './namespace';
import { initPostgres, psql, startPostgres, stopPostgres, type PostgresServer } from './postgres';
import { setUpTemporalSchemas, temporalDatabases } from './schema';
import {
  clusterServiceNames,
  dynamicConfigFile,
  frontendAddress,
  serviceConfig,
  type ClusterLayout,
  type ClusterServiceName,
  type ServicePorts,
  type TemporalRole,
} from './server-config';
import { startTemporalService } from './temporal-services';
import { startUiServer } from './ui';

export interface ClusterOptions {
  /** Everything lives here: PostgreSQL's data, the processes' configuration, `logs/`, `cluster.json`. */
  dir: string;
  /** Loopback address every process binds to; default 127.0.0.1. */
  host?: string;
  namespace: string;
  /** Detached processes outlive this one (`npm run stack -- up --cluster`); attached ones are the tests'. */
  detached: boolean;
  ui?: boolean;
  /**
   * Fixed when the databases are created; default 16. A history host reports SERVING only once it owns a shard, and
   * the membership ring hands shards out by hash: with 4 shards, one host in eight got none and never became ready
   * (seen in the fault suite); with 16, one start in 30,000.
   */
  historyShards?: number;
  log: Log;
  /** The frontend's gRPC port; default a free one. */
  frontendPort?: number;
  /** The UI's HTTP port; default a free one. */
  uiPort?: number;
}

export type ClusterProcessName = ClusterServiceName | 'postgres' | 'ui';

/** One live member of the cluster's ringpop membership, as the services record it in PostgreSQL. */
export interface ClusterMember {
  role: TemporalRole;
  /** The member's membership address (`host:port`): one per process. */
  address: string;
}

export interface TemporalCluster {
  frontendAddress: string;
  uiUrl?: string;
  postgresPort: number;
  logDir: string;
  /** Each service's gRPC and membership ports. */
  ports: Record<ClusterServiceName, ServicePorts>;
  /** Every running process, postgres included. */
  pids(): Record<string, number>;
  /** Sends `signal` (default SIGKILL) to one service and resolves once the process is gone. */
  kill(service: ClusterServiceName, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped service again on the same ports; resolves when it is ready. */
  start(service: ClusterServiceName): Promise<void>;
  /** Stops PostgreSQL (`fast`: clean shutdown; `immediate`: crash and recover) and starts it; resolves when it accepts connections. */
  restartPostgres(mode?: 'fast' | 'immediate'): Promise<void>;
  /** The services that heartbeat their membership (within Temporal's own 20-second cutoff). */
  members(): Promise<ClusterMember[]>;
  /** Everything, PostgreSQL last. */
  stop(): Promise<void>;
}

/** What `cluster.json` holds: enough to find, control and stop a detached cluster from another process. */
interface ClusterState extends ClusterLayout {
  dir: string;
  namespace: string;
  detached: boolean;
  uiPort?: number;
  serverBinary: string;
  uiBinary?: string;
  pids: Partial<Record<ClusterProcessName, number>>;
}

const stateFileName = 'cluster.json';
const roleNumbers: Record<number, TemporalRole> = { 1: 'frontend', 2: 'history', 3: 'matching', 4: 'worker' };

export function readClusterState(dir: string): ClusterState | undefined {
  const file = join(dir, stateFileName);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ClusterState) : undefined;
}

class RunningCluster implements TemporalCluster {
  constructor(private readonly state: ClusterState) {}

  get frontendAddress(): string {
    return frontendAddress(this.state);
  }

  get uiUrl(): string | undefined {
    return this.state.uiPort ? `http://${this.state.host}:${this.state.uiPort}` : undefined;
  }

  get postgresPort(): number {
    return this.state.postgres.port;
  }

  get logDir(): string {
    return join(this.state.dir, 'logs');
  }

  get ports(): Record<ClusterServiceName, ServicePorts> {
    return this.state.services;
  }

  pids(): Record<string, number> {
    const pids: Record<string, number> = {};
    for (const name of Object.keys(this.state.pids) as ClusterProcessName[]) {
      const pid = this.running(name);
      if (pid !== undefined) pids[name] = pid;
    }
    return pids;
  }

  /**
   * The process's pid while it runs. A pid from `cluster.json` may since have gone to another program: only one whose
   * command line names this cluster's folder counts.
   */
  running(name: ClusterProcessName): number | undefined {
    const pid = this.state.pids[name];
    if (pid === undefined || !isAlive(pid)) return undefined;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.state.dir) ? pid : undefined;
    } catch {
      return pid;
    }
  }

  async kill(service: ClusterServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const pid = this.running(service);
    if (pid === undefined) throw new Error(`Temporal ${service} is not running.`);
    stopProcess(pid, false, signal);
    // A graceful stop hands its shards or task queues over first; past half a minute it is not coming.
    if (!(await waitForExit(pid, 30_000))) {
      stopProcess(pid, false, 'SIGKILL');
      await waitForExit(pid, 5_000);
    }
    delete this.state.pids[service];
    this.save();
  }

  async start(service: ClusterServiceName): Promise<void> {
    const pid = this.running(service);
    if (pid !== undefined) throw new Error(`Temporal ${service} is already running (pid ${pid}).`);
    const child = await startTemporalService({
      service,
      server: this.state.serverBinary,
      configDir: this.configDir,
      grpcAddress: `${this.state.host}:${this.state.services[service].grpc}`,
      logFile: this.logFile(service),
      detached: this.state.detached,
    });
    this.state.pids[service] = child.pid!;
    this.save();
  }

  async restartPostgres(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const pid = this.running('postgres');
    if (pid !== undefined) await stopPostgres(pid, mode);
    delete this.state.pids.postgres;
    await this.startPostgres();
  }

  async members(): Promise<ClusterMember[]> {
    const rows = await psql(
      this.postgres,
      temporalDatabases.persistence,
      // A restarted process joins with a new host id; its address is what tells processes apart.
      'SELECT DISTINCT role, rpc_address, rpc_port FROM cluster_membership ' +
        "WHERE last_heartbeat > (now() AT TIME ZONE 'UTC') - interval '20 seconds' ORDER BY role, rpc_port",
    );
    return rows.map(([role, address, port]) => ({ role: roleNumbers[Number(role)]!, address: `${address}:${port}` }));
  }

  async stop(): Promise<void> {
    const services: ClusterProcessName[] = ['ui', ...clusterServiceNames];
    await Promise.all(
      services.map(async (name) => {
        await stopProcessAndWait(this.running(name), false);
        delete this.state.pids[name];
      }),
    );
    const postgres = this.running('postgres');
    if (postgres !== undefined) await stopPostgres(postgres, 'fast');
    delete this.state.pids.postgres;
    this.save();
  }

  async startPostgres(): Promise<void> {
    const child = await startPostgres(this.postgres);
    this.state.pids.postgres = child.pid!;
    this.save();
  }

  async startUi(): Promise<void> {
    if (!this.state.uiBinary || !this.state.uiPort) return;
    const child = await startUiServer({
      binary: this.state.uiBinary,
      dir: join(this.state.dir, 'ui'),
      host: this.state.host,
      port: this.state.uiPort,
      frontendAddress: this.frontendAddress,
      namespace: this.state.namespace,
      logFile: this.logFile('ui'),
      detached: this.state.detached,
    });
    this.state.pids.ui = child.pid!;
    this.save();
  }

  /** Each process's configuration file and the shared dynamic configuration, from the layout. */
  writeConfigs(): void {
    mkdirSync(this.configDir, { recursive: true });
    writeFileSync(this.state.dynamicConfigFile, dynamicConfigFile());
    for (const service of clusterServiceNames) {
      writeFileSync(
        join(this.configDir, `${service}.yaml`),
        `${JSON.stringify(serviceConfig(this.state, service), null, 2)}\n`,
        { mode: 0o600 },
      );
    }
  }

  logFile(name: ClusterProcessName): string {
    return join(this.logDir, `${name}.log`);
  }

  private get configDir(): string {
    return join(this.state.dir, 'config');
  }

  get postgres(): PostgresServer {
    return {
      dir: join(this.state.dir, 'postgres'),
      host: this.state.host,
      port: this.state.postgres.port,
      password: this.state.postgres.password,
      logFile: this.logFile('postgres'),
      detached: this.state.detached,
    };
  }

  private save(): void {
    writeFileSync(join(this.state.dir, stateFileName), `${JSON.stringify(this.state, null, 2)}\n`, { mode: 0o600 });
  }
}

async function freeServicePorts(
  host: string,
  frontendPort?: number,
): Promise<Record<ClusterServiceName, ServicePorts>> {
  const ports = {} as Record<ClusterServiceName, ServicePorts>;
  for (const service of clusterServiceNames) {
    const grpc = service === 'frontend' && frontendPort ? frontendPort : await freePort(host);
    // Temporal keeps membership ports in a SMALLINT column: they must be below 32768, under the ephemeral range.
    ports[service] = { grpc, membership: await freePortInRange(20_000, 32_767, host) };
  }
  return ports;
}

/**
 * A Temporal cluster as production runs one, on this machine: PostgreSQL (persistence and SQL visibility), then
 * frontend, matching, worker and two history services, each its own process, finding each other through ringpop
 * on loopback; the namespace and the workflows' search attributes registered; the UI if asked. Resolves once the
 * frontend serves the namespace; any process that fails to start fails it, naming its log.
 *
 * @example
 * const cluster = await startTemporalCluster({ dir: mkdtempSync(join(tmpdir(), 'cluster-')), namespace: 'default', detached: false, log });
 * try { await Connection.connect({ address: cluster.frontendAddress }); } finally { await cluster.stop(); }
 */
export async function startTemporalCluster(options: ClusterOptions): Promise<TemporalCluster> {
  const { dir, log } = options;
  const host = options.host ?? '127.0.0.1';
  const historyShards = options.historyShards ?? 16;
  const started = Date.now();
  const build = await ensureTemporalServer(log);
  const uiBinary = options.ui ? await ensureTemporalUiServer(log) : undefined;
  mkdirSync(join(dir, 'logs'), { recursive: true });

  const previous = readClusterState(dir);
  // Processes an interrupted start left behind would hold the data directory and the ports.
  if (previous) await new RunningCluster(previous).stop();
  if (previous && previous.historyShards !== historyShards) {
    throw new Error(
      `The cluster in ${dir} was created with ${previous.historyShards} history shards, not ${historyShards}; the ` +
        `count cannot change once the databases exist. Delete ${dir} to start afresh, or keep the old count.`,
    );
  }
  const password = await initPostgres(join(dir, 'postgres'), log);
  const state: ClusterState = {
    dir,
    host,
    namespace: options.namespace,
    detached: options.detached,
    historyShards,
    postgres: { port: await freePort(host), password },
    services: await freeServicePorts(host, options.frontendPort),
    uiPort: options.ui ? (options.uiPort ?? (await freePort(host))) : undefined,
    dynamicConfigFile: join(dir, 'config', 'dynamicconfig.yaml'),
    serverBinary: build.server,
    uiBinary,
    pids: {},
  };
  const cluster = new RunningCluster(state);
  try {
    log(`starting PostgreSQL on ${host}:${state.postgres.port}`);
    await cluster.startPostgres();
    await setUpTemporalSchemas(build, { host, port: state.postgres.port, password }, log);
    // Members an earlier run recorded look alive for 20 seconds after it stopped; ringpop would try to join them at
    // their old ports for its whole 30-second join limit. None of them is running now (see above).
    if (previous) await psql(cluster.postgres, temporalDatabases.persistence, 'DELETE FROM cluster_membership');
    cluster.writeConfigs();
    log(`starting Temporal ${clusterServiceNames.join(', ')} (frontend ${cluster.frontendAddress})`);
    const starts = await Promise.allSettled(clusterServiceNames.map((service) => cluster.start(service)));
    const failed = starts.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    await registerNamespace(cluster.frontendAddress, options.namespace);
    await waitForNamespace(cluster, options.namespace);
    if (uiBinary) {
      log(`starting the Temporal UI on ${cluster.uiUrl}`);
      await cluster.startUi();
    }
  } catch (error) {
    await cluster.stop().catch(() => undefined);
    throw error;
  }
  log(`Temporal cluster ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return cluster;
}

async function waitForNamespace(cluster: RunningCluster, namespace: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await clusterServesNamespace(cluster.frontendAddress, namespace)) return;
    } catch (error) {
      lastError = error;
    }
    await delay(100);
  }
  throw new Error(
    `The cluster's frontend (${cluster.frontendAddress}) did not serve namespace ${namespace} with its search ` +
      `attributes within ${timeoutMs / 1000}s (last error: ${String(lastError)}). Log ${cluster.logFile('frontend')}`,
  );
}

/** The cluster a detached start left in `dir` (from its `cluster.json`), to control or stop it from another process. */
export function attachTemporalCluster(dir: string): TemporalCluster | undefined {
  const state = readClusterState(dir);
  return state ? new RunningCluster(state) : undefined;
}

/** One line per process, with its pid (or "not running") and the addresses it listens on, for `npm run stack -- status`. */
export function describeClusterProcesses(dir: string): string[] {
  const state = readClusterState(dir);
  if (!state) return [];
  const cluster = new RunningCluster(state);
  const running = (name: ClusterProcessName) => {
    const pid = cluster.running(name);
    return pid !== undefined ? `pid ${pid}` : 'not running';
  };
  return [
    `postgres   ${running('postgres')}  ${state.host}:${state.postgres.port}`,
    ...clusterServiceNames.map((service) => {
      const { grpc, membership } = state.services[service];
      // The worker role serves no gRPC of its own: it only joins the membership.
      const grpcAddress = service === 'worker' ? '' : `gRPC ${state.host}:${grpc}, `;
      return `${service.padEnd(10)} ${running(service)}  ${grpcAddress}membership ${state.host}:${membership}`;
    }),
    ...(state.uiPort ? [`ui         ${running('ui')}  http://${state.host}:${state.uiPort}`] : []),
  ];
}
