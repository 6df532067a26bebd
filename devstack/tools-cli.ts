import { ensureTemporalServer, ensureTemporalUiServer } from './cluster';
import { postgresBinDir } from './cluster/postgres';
import {
  ensureChromium,
  ensureMotoPython,
  ensureParliamentPython,
  ensureSchemathesis,
  ensureTemporalCli,
  ensureTimeSkippingServer,
  ToolSetupError,
} from './tools';

async function main(): Promise<void> {
  const quiet = process.argv.includes('--quiet');
  const log = (line: string) => console.log(`setup: ${line}`);
  const temporal = await ensureTemporalCli(log);
  const moto = await ensureMotoPython(log);
  const testServer = await ensureTimeSkippingServer(log);
  const schemathesis = await ensureSchemathesis(log);
  const parliament = await ensureParliamentPython(log);
  const chromium = process.argv.includes('--with-browser') ? await ensureChromium(log) : undefined;
  // The cluster tests (and `npm run stack -- up --cluster`) need the server, its schema tool, the UI and PostgreSQL.
  const cluster = process.argv.includes('--with-cluster')
    ? { server: await ensureTemporalServer(log), ui: await ensureTemporalUiServer(log), postgres: postgresBinDir() }
    : undefined;
  if (!quiet) {
    log(`temporal CLI: ${temporal}`);
    log(`moto python:  ${moto}`);
    log(`test server:  ${testServer}`);
    log(`schemathesis: ${schemathesis}`);
    log(`parliament:   ${parliament}`);
    if (chromium) log(`chromium:     ${chromium}`);
    if (cluster) {
      log(`temporal server: ${cluster.server.server}`);
      log(`temporal UI:     ${cluster.ui}`);
      log(`postgresql:      ${cluster.postgres}`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ToolSetupError ? `setup: ${error.message}` : error);
  process.exit(1);
});
