import { ensureChromium, ensureMotoPython, ensureTemporalCli, ensureTimeSkippingServer, ToolSetupError } from './tools';

async function main(): Promise<void> {
  const quiet = process.argv.includes('--quiet');
  const log = (line: string) => console.log(`setup: ${line}`);
  const temporal = await ensureTemporalCli(log);
  const moto = await ensureMotoPython(log);
  const testServer = await ensureTimeSkippingServer(log);
  const chromium = process.argv.includes('--with-browser') ? await ensureChromium(log) : undefined;
  if (!quiet) {
    log(`temporal CLI: ${temporal}`);
    log(`moto python:  ${moto}`);
    log(`test server:  ${testServer}`);
    if (chromium) log(`chromium:     ${chromium}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ToolSetupError ? `setup: ${error.message}` : error);
  process.exit(1);
});
