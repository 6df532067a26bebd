import type { StartCluster } from './servers';

/**
 * `--server cluster`: how the benchmark starts the multi-process Temporal cluster on PostgreSQL. Undefined until
 * devstack/cluster exists in this checkout; wire it here, e.g.
 * `export const startCluster: StartCluster = (log) => startTemporalCluster({ log })`, mapping its options and
 * result onto StartCluster's.
 */
export const startCluster: StartCluster | undefined = undefined;
