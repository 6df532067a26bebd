import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench } from '../../bench/bench';
import { defaultSettings } from '../../bench/options';
import { problemsOf, readResults, writeResults, type BenchResult } from '../../bench/result';
import { startBenchServer } from '../../bench/servers';

/**
 * The benchmark end to end with a handful of installs, on a server that is already running (the test stack's dev
 * server, or the cluster): it must complete, write every figure finite, end every lifecycle deprovisioned, and its
 * workers must fail no workflow task and no activity. Figures are not timed: a smoke, not a measurement.
 *
 * @example
 * await runBenchSmoke({ temporalAddress: cluster.frontendAddress, namespace: 'default', workers: 3 });
 */
export async function runBenchSmoke(options: {
  temporalAddress: string;
  namespace: string;
  workers: number;
}): Promise<BenchResult> {
  const server = await startBenchServer(
    { kind: 'external', address: options.temporalAddress, namespace: options.namespace },
    { log: () => undefined },
  );
  const settings = {
    ...defaultSettings,
    installs: 6,
    rounds: 2,
    concurrency: 6,
    waiting: 20,
    warmup: 0,
    workers: options.workers,
    lifecycleTimeoutMs: 60_000,
  };
  const result = await runBench({ server, settings, log: () => undefined });
  const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  const file = join(dir, 'latest.json');
  writeResults(file, result);

  const written = readResults<BenchResult>(file);
  expect(problemsOf(written)).toEqual([]);
  expect(written.installs).toBe(6);
  expect(written.outcomes).toEqual({ install: { deprovisioned: 6 }, baseline: { deprovisioned: 6 } });
  expect(written.workers).toMatchObject({ processes: options.workers, workflowTaskFailures: 0, activityFailures: 0 });
  expect(written.awsCalls.perInstall).toBeGreaterThan(0);
  // The baseline copies the install's shape: the same activities and children. Not timers: whether an install's
  // wait starts one depends on timing (a check-in or deprovision that arrives first), so installs differ among
  // themselves (1.17 a run against the baseline's 1 in one cluster run).
  const commands = (shape: typeof written.history.install.shapePerRun) => [shape.activities, shape.childWorkflows];
  expect(commands(written.history.baseline.shapePerRun)).toEqual(commands(written.history.install.shapePerRun));
  expect(written.footprint.waitingInstalls).toBe(20);
  // Kept when an assertion fails: the workers' logs are in the run's directory.
  rmSync(result.workers.logDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
  return written;
}
