import { readStackState, stackDown, stackUp } from '../devstack/stack';

const usage = 'usage: npm run stack -- up | down | status';

async function main(): Promise<void> {
  const log = (line: string) => console.log(`stack: ${line}`);
  const command = process.argv[2];
  if (command === 'up') {
    const endpoints = await stackUp(log);
    log(`Temporal:    ${endpoints.temporalAddress} (namespace ${endpoints.temporalNamespace})`);
    log(`Temporal UI: ${endpoints.temporalUiUrl}`);
    log(`AWS (moto):  ${endpoints.awsEndpoint}`);
    log(`CUR:         ${endpoints.curEndpoint}`);
    log(`CUR 2.0:     ${endpoints.dataExportsEndpoint}`);
    log('Run a worker, API or codec endpoint against it with INSTALL_ORCHESTRATOR_ENV=development (no payload key).');
  } else if (command === 'down') {
    await stackDown(log);
  } else if (command === 'status') {
    const state = readStackState();
    console.log(state ? JSON.stringify(state, null, 2) : 'stack: not running');
  } else {
    console.error(usage);
    process.exit(2);
  }
}

main().catch((error: unknown) => {
  console.error(`stack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
