import type { JsonRpcServer } from './json-rpc-server';

export function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be 0 to 65535, not ${text}`);
  return port;
}

/**
 * Runs an emulator as its own process (a main.ts): starts it, prints the line that says where it listens, and closes
 * it on SIGTERM or SIGINT so that the process exits 0. A start that throws, flags it cannot parse included, prints
 * why and exits 1.
 *
 * @example
 * runEmulatorProcess('cur emulator', () => {
 *   const { values } = parseArgs({ options: { port: { type: 'string', default: '4580' } } });
 *   return startCurEmulator({ port: parsePort(values.port) });
 * });
 */
export function runEmulatorProcess(name: string, start: () => Promise<JsonRpcServer>): void {
  serveUntilSignalled(name, start).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

async function serveUntilSignalled(name: string, start: () => Promise<JsonRpcServer>): Promise<void> {
  const emulator = await start();
  console.log(`${name} listening on ${emulator.url}`);
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
