import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../devstack/paths';
import { stack } from '../helpers';

/** The simulation's figures, as far as this smoke reads them. */
interface PeriodicChecksFigures {
  settings: { installs: number; periods: number; ceilingPerSecond: number; workers: number };
  vendorCallsPerSecond: { ceiling: number; checks: { seconds: number; max: number }; onboarding: { max: number } };
  assumeRolePerSecond: { seconds: number };
  checkedOncePerPeriod: { of: number; checksPerSlot: Record<string, number> };
}

describe('bench/periodic-checks.ts, the simulation of many installs re-verified on a shortened period', () => {
  it('runs a handful of installs on the test server to the end and writes its figures', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'periodic-checks-')), 'figures.json');
    const args = ['--installs', '20', '--period', '8 s', '--periods', '1', '--ceiling', '50', '--workers', '2'];
    const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          join(projectRoot, 'bench', 'periodic-checks.ts'),
          ...args,
          '--temporal-address',
          stack.temporalAddress,
          '--workflow-bundle',
          stack.workflowBundlePath,
          '--out',
          out,
        ],
        // About 20 s alone; a loaded CI machine runs child processes 2-4 times slower.
        { cwd: projectRoot, timeout: 100_000, maxBuffer: 16 * 2 ** 20 },
        (_, stdout, stderr) => resolve({ code: child.exitCode, output: `${stdout}\n${stderr}` }),
      );
    });
    if (run.code !== 0) throw new Error(`the simulation exited with ${run.code}:\n${run.output.slice(-4_000)}`);

    const figures = JSON.parse(readFileSync(out, 'utf8')) as PeriodicChecksFigures;
    expect(figures.settings).toMatchObject({ installs: 20, periods: 1, ceilingPerSecond: 50, workers: 2 });
    expect(figures.vendorCallsPerSecond.ceiling).toBe(50);
    expect(figures.vendorCallsPerSecond.checks.seconds).toBe(8);
    expect(figures.assumeRolePerSecond.seconds).toBe(8);
    expect(figures.vendorCallsPerSecond.onboarding.max).toBeGreaterThan(0);
    // One slot of each install in a window of one period, each accounted for however many checks served it.
    const slots = Object.values(figures.checkedOncePerPeriod.checksPerSlot).reduce((sum, count) => sum + count, 0);
    expect(slots).toBe(20);
    expect(run.output).toContain('vendor calls/s while checking');
  }, 150_000);
});
