import { describeClusterProcesses } from '../devstack/cluster';
import { readStackState, stackDown, stackUp } from '../devstack/stack';

const usage = 'usage: npm run stack -- up [--cluster] | down | status';

async function main(): Promise<void> {
  const log = (line: string) => console.log(`stack: ${line}`);
  const [command, ...flags] = process.argv.slice(2);
  if (command === 'up' && flags.every((flag) => flag === '--cluster')) {
    const endpoints = await stackUp(log, flags.includes('--cluster') ? { temporalServer: 'cluster' } : {});
    const kind = endpoints.temporalServer === 'cluster' ? 'cluster' : 'dev server';
    log(`Temporal:    ${endpoints.temporalAddress} (${kind}, namespace ${endpoints.temporalNamespace})`);
    log(`Temporal UI: ${endpoints.temporalUiUrl}`);
    log(`AWS (moto):  ${endpoints.awsEndpoint}`);
    log(`CUR:         ${endpoints.curEndpoint}`);
    log(`CUR 2.0:     ${endpoints.dataExportsEndpoint}`);
    if (endpoints.clusterDir) printClusterProcesses(endpoints.clusterDir, log);
    log('Run a worker, API or codec endpoint against it with INSTALL_ORCHESTRATOR_ENV=development (no payload key).');
  } else if (command === 'down' && flags.length === 0) {
    await stackDown(log);
  } else if (command === 'status' && flags.length === 0) {
    const state = readStackState();
    console.log(state ? JSON.stringify(state, null, 2) : 'stack: not running');
    if (state?.clusterDir) printClusterProcesses(state.clusterDir, log);
  } else {
    console.error(usage);
    process.exit(2);
  }
}

function printClusterProcesses(clusterDir: string, log: (line: string) => void): void {
  log(`Temporal cluster processes (logs in ${clusterDir}/logs):`);
  for (const line of describeClusterProcesses(clusterDir)) log(`  ${line}`);
}

main().catch((error: unknown) => {
  console.error(`stack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
