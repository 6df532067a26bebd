import { ensureMotoPython, ensureTemporalCli, ToolSetupError } from './tools';

async function main(): Promise<void> {
  const quiet = process.argv.includes('--quiet');
  const log = (line: string) => console.log(`setup: ${line}`);
  const temporal = await ensureTemporalCli(log);
  const moto = await ensureMotoPython(log);
  if (!quiet) {
    log(`temporal CLI: ${temporal}`);
    log(`moto python:  ${moto}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ToolSetupError ? `setup: ${error.message}` : error);
  process.exit(1);
});
