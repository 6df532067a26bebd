import { DefaultLogger, Runtime } from '@temporalio/worker';
import { runBench } from './bench';
import { runMatrix } from './matrix';
import { parseBenchArgs } from './options';
import { problemsOf, writeResults, type BenchResult } from './result';
import { matrixTable, runTable } from './report';
import { startBenchServer } from './servers';

/**
 * `npm run bench`: one run (`--server dev|cluster`, `--temporal-address`, `--workers N`) or the whole matrix
 * (`--matrix`). Prints the table, writes the JSON, and exits non-zero if any run's figures cannot be trusted.
 */
async function main(): Promise<void> {
  const command = parseBenchArgs(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const log = (line: string) => console.log(line);
  let results: BenchResult[];
  if (command.matrix) {
    results = await runMatrix({
      settings: command.settings,
      cluster: command.server,
      log,
      onRow: (row) => log(`  ${row.server.kind} × ${row.settings.workers}: ratio ${row.throughput.ratio.toFixed(2)}`),
    });
    writeResults(command.out, results);
    log('');
    matrixTable(results).forEach((line) => log(line));
  } else {
    const server = await startBenchServer(command.server, { log });
    let result: BenchResult;
    try {
      result = await runBench({ server, settings: command.settings, log });
    } finally {
      await server.stop();
    }
    results = [result];
    writeResults(command.out, result);
    log('');
    runTable(result).forEach((line) => log(line));
  }
  log(`\nwrote ${command.out}`);
  const problems = results.flatMap((result) =>
    problemsOf(result).map((problem) => `${result.server.kind} × ${result.settings.workers}: ${problem}`),
  );
  if (problems.length > 0) {
    throw new Error(`these figures cannot be trusted:\n  ${problems.join('\n  ')}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
