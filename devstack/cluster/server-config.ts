import { temporalDatabases } from './schema';
import { postgresUser } from './postgres';

/** One process each: the two history services share the shards between them. */
export type ClusterServiceName = 'frontend' | 'matching' | 'worker' | 'history-1' | 'history-2';

/** Every service process; they start together and find each other through membership. */
export const clusterServiceNames: readonly ClusterServiceName[] = [
  'history-1',
  'history-2',
  'matching',
  'frontend',
  'worker',
];

/** The Temporal service a process runs (`server start --service <role>`). */
export type TemporalRole = 'frontend' | 'matching' | 'worker' | 'history';

export function temporalRole(service: ClusterServiceName): TemporalRole {
  return service.startsWith('history') ? 'history' : (service as TemporalRole);
}

export interface ServicePorts {
  /** The service's gRPC API (the frontend's is the cluster's address). */
  grpc: number;
  /** Ringpop, the membership protocol the services find each other with. */
  membership: number;
}

/** Everything the processes' configuration files say: where each listens and where the store is. */
export interface ClusterLayout {
  host: string;
  historyShards: number;
  postgres: { port: number; password: string };
  services: Record<ClusterServiceName, ServicePorts>;
  dynamicConfigFile: string;
}

export function frontendAddress(layout: Pick<ClusterLayout, 'host' | 'services'>): string {
  return `${layout.host}:${layout.services.frontend.grpc}`;
}

/**
 * The configuration of one process, in the shape of the module's `config/development-postgres12.yaml`. Every process
 * gets all four services' sections (the server reads its peers' from membership, but validates the whole file); its
 * own role's section holds its own ports, which is how two history processes share one role. Written as JSON, which
 * the server's YAML loader reads.
 */
export function serviceConfig(layout: ClusterLayout, service: ClusterServiceName): object {
  const ports = (role: TemporalRole): ServicePorts =>
    role === temporalRole(service)
      ? layout.services[service]
      : layout.services[role === 'history' ? 'history-1' : role];
  const rpc = (role: TemporalRole) => ({
    rpc: { grpcPort: ports(role).grpc, membershipPort: ports(role).membership, bindOnIP: layout.host },
  });
  const sqlStore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${layout.host}:${layout.postgres.port}`,
      connectProtocol: 'tcp',
      user: postgresUser,
      password: layout.postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const frontend = frontendAddress(layout);
  return {
    log: { stdout: true, level: 'info' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: layout.historyShards,
      datastores: {
        'postgres-default': sqlStore(temporalDatabases.persistence, 20),
        'postgres-visibility': sqlStore(temporalDatabases.visibility, 10),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: layout.host } },
    services: { frontend: rpc('frontend'), matching: rpc('matching'), history: rpc('history'), worker: rpc('worker') },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: frontend },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    publicClient: { hostPort: frontend },
    dynamicConfigClient: { filepath: layout.dynamicConfigFile, pollInterval: '10s' },
  };
}

/**
 * Dynamic configuration for every process: what the CLI's dev server sets (temporalio/cli v1.5.1,
 * temporalcli/commands.server.go and devserver/server.go), and the APIs the orchestrator uses, said explicitly
 * although v1.29.1 enables them by default.
 */
export const clusterDynamicConfig: Record<string, unknown> = {
  // Search attributes visible as soon as they are registered (tests register them, then start installs at once).
  'system.forceSearchAttributesCacheRefreshOnRead': true,
  // The dev server's figures, raised because the search-attribute cache is bypassed on every read.
  'frontend.persistenceMaxQPS': 10_000,
  'history.persistenceMaxQPS': 45_000,
  'history.hostLevelCacheMaxSize': 8096,
  // The API lists installs by search attribute; the default of 10 per second throttles a test's polling.
  'frontend.namespaceRPS.visibility': 100,
  // Updates (submit role ARN, runner check-in, deprovision) and Update-with-Start (the API's start).
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': true,
  'frontend.enableExecuteMultiOperation': true,
};

export function dynamicConfigFile(values: Record<string, unknown> = clusterDynamicConfig): string {
  const entries = Object.entries(values).map(([key, value]) => [key, [{ value, constraints: {} }]]);
  return `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
}
