export {
  attachTemporalCluster,
  describeClusterProcesses,
  startTemporalCluster,
  type ClusterMember,
  type ClusterOptions,
  type ClusterProcessName,
  type TemporalCluster,
} from './cluster';
export {
  ensureTemporalServer,
  ensureTemporalUiServer,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_SERVER_VERSION,
} from './builds';
export { clusterServiceNames, type ClusterServiceName, type ServicePorts } from './server-config';
