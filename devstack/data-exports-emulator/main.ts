import { parseArgs } from 'node:util';
import { startDataExportsEmulator } from './server';

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be 0 to 65535, not ${text}`);
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '4581' },
      'account-id': { type: 'string', default: '000000000000' },
      'export-limit': { type: 'string' },
    },
  });
  const exportLimit = values['export-limit'] === undefined ? undefined : Number(values['export-limit']);
  const emulator = await startDataExportsEmulator({
    host: values.host,
    port: parsePort(values.port),
    accountId: values['account-id'],
    exportLimit,
  });
  console.log(`data exports emulator listening on ${emulator.url}`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    emulator.close().catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  };
  // `on`, not `once`: under `node --import tsx`, a signal that finds no listener left makes tsx exit with 128+signal
  // before the server has closed.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
