import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { startTemporalCluster, type TemporalCluster } from '../../devstack/cluster';
import { stopProcessAndWait } from '../../devstack/service-process';
import { startTestApi, type TestApi } from '../api-server';
import { expectedCensus } from '../customer-account';
import { deprovisionFleet, fleetCensus, lostInstalls, onboardFleet, type FleetStep } from '../fleet';
import { closeTestClient, testClient, uniqueInstallId } from '../helpers';
import { startWorkerProcess } from '../worker-process';

/**
 * Faults a production cluster meets, on a real one: frontend, matching, worker and two history services as separate
 * processes on PostgreSQL, three worker processes of ours on one task queue, and the installs driven through the
 * API. Each fault strikes while a fleet of installs is in flight; each test ends with every install deprovisioned
 * cleanly, one run per install, one of each resource per install while active and none after.
 */
const log = (line: string) => process.stderr.write(`cluster faults: ${line}\n`);

interface Strike {
  /** The step whose count triggers the fault, and the count. */
  after: FleetStep;
  count: number;
  fault: () => Promise<void>;
}

describe('faults on a multi-process Temporal cluster on PostgreSQL, with three worker processes', () => {
  const taskQueue = `cluster-faults-${randomUUID()}`;
  const logDir = mkdtempSync(join(tmpdir(), 'cluster-faults-'));
  let cluster: TemporalCluster;
  let client: Client;
  let api: TestApi;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    cluster = await startTemporalCluster({ dir: logDir, namespace: 'default', detached: false, log });
    client = await testClient(cluster.frontendAddress);
    api = await startTestApi({ taskQueue, temporalAddress: cluster.frontendAddress });
    workers.push(
      ...(await Promise.all(
        [1, 2, 3].map((n) =>
          startWorkerProcess({ temporalAddress: cluster.frontendAddress, taskQueue, logDir, name: `worker-${n}` }),
        ),
      )),
    );
  }, 240_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => stopProcessAndWait(worker.pid, false)));
    await api?.app.close();
    await closeTestClient();
    await cluster?.stop();
    // The logs stay for a look after the run; PostgreSQL's data does not.
    rmSync(join(logDir, 'postgres'), { recursive: true, force: true });
  });

  /** Runs a fleet through onboarding and deprovisioning while `strike` hits once; returns what the strike saw. */
  async function runFleetThrough(label: string, installs: number, strike: Strike) {
    const ids = Array.from({ length: installs }, () => uniqueInstallId(label));
    const passed = new Map<FleetStep, number>();
    let struck: Promise<void> | undefined;
    let activeWhenStruck = -1;
    const onStep = (step: FleetStep) => {
      passed.set(step, (passed.get(step) ?? 0) + 1);
      if (!struck && step === strike.after && passed.get(step) === strike.count) {
        activeWhenStruck = passed.get('active') ?? 0;
        struck = strike.fault();
      }
    };
    await onboardFleet(api, ids, { inFlight: 25, onStep, stepTimeoutMs: 240_000 });
    await struck;
    const atActive = await fleetCensus(ids);
    const outcome = await deprovisionFleet(api, ids, { inFlight: 25, onStep, stepTimeoutMs: 240_000 });
    const lost = lostInstalls(ids, outcome);
    const runsPerInstall = new Map<string, number>();
    for await (const execution of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
      if (ids.includes(execution.workflowId))
        runsPerInstall.set(execution.workflowId, (runsPerInstall.get(execution.workflowId) ?? 0) + 1);
    }
    const duplicates = [...runsPerInstall.values()].filter((runs) => runs > 1).length;
    log(
      `${label}: ${installs} started, ${installs - lost.length} completed, ${lost.length} lost, ${duplicates} duplicated; ` +
        `struck with ${activeWhenStruck} of ${installs} active`,
    );
    expect(struck).toBeDefined();
    // In flight: the fault met installs still on their way, not a finished fleet.
    expect(activeWhenStruck).toBeLessThan(installs);
    expect(lost).toEqual([]);
    expect(runsPerInstall.size).toBe(installs);
    expect(duplicates).toBe(0);
    expect(atActive).toEqual(expectedCensus(installs, 'up'));
    expect(await fleetCensus(ids)).toEqual(expectedCensus(installs, 'deprovisioned'));
  }

  it('SIGKILL of one history service with 100 installs in flight loses none: its shards move to the other', async () => {
    await runFleetThrough('history-kill', 100, {
      after: 'verified',
      count: 20,
      fault: async () => {
        await cluster.kill('history-1', 'SIGKILL');
        log('history-1 killed');
      },
    });
    // Back for the next test, so each fault meets the whole cluster.
    await cluster.start('history-1');
  }, 600_000);

  // 25 installs, all in flight at once (the fleet's ceiling), struck once 10 are verified: the fault meets installs
  // before, in and after verification, as it did with 40, for less of the two cores' time.
  it('a PostgreSQL restart mid-run loses no install', async () => {
    await runFleetThrough('postgres-restart', 25, {
      after: 'verified',
      count: 10,
      fault: async () => {
        await cluster.restartPostgres();
        log('postgres restarted');
      },
    });
  }, 600_000);

  it('SIGKILL of one of the three worker processes under load loses no install: the other two take its work', async () => {
    await runFleetThrough('worker-kill', 25, {
      after: 'verified',
      count: 10,
      fault: async () => {
        const victim = workers[0]!;
        process.kill(victim.pid!, 'SIGKILL');
        await stopProcessAndWait(victim.pid, false);
        log(`worker-1 (pid ${victim.pid}) killed`);
      },
    });
  }, 600_000);
});
