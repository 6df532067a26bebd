import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { freePort } from '../../devstack/ports';
import { stopProcessAndWait } from '../../devstack/service-process';
import { closeTestClient, tracedActivities, uniqueInstallId, waitUntil } from '../helpers';
import { onboardThroughApi, startTestApi, type TestApi } from '../api-server';
import { startWorkerProcess } from '../worker-process';

/** One sample of a Prometheus text page: its value, for the series whose labels include all of `labels`. */
function sample(page: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let total: number | undefined;
  for (const line of page.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? ([^ ]+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(/,(?=[a-zA-Z_]\w*=")/);
    if (wanted.every((pair) => present.includes(pair))) total = (total ?? 0) + Number(match[3]);
  }
  return total;
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(url, { headers });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return response.text();
}

describe('metrics after an install, scraped from the worker and the API', () => {
  const taskQueue = `metrics-${randomUUID()}`;
  let api: TestApi;
  let worker: Awaited<ReturnType<typeof startWorkerProcess>>;
  let workerMetrics: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    const address = `127.0.0.1:${await freePort()}`;
    workerMetrics = `http://${address}/metrics`;
    const logDir = mkdtempSync(join(tmpdir(), 'metrics-'));
    worker = await startWorkerProcess({ taskQueue, logDir, name: 'metrics', env: { WORKER_METRICS_ADDRESS: address } });
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    api = await startTestApi({ taskQueue, logStream, metrics: { phaseCountsTtlMs: 0 } });
  });
  afterAll(async () => {
    await api?.app.close();
    await closeTestClient();
    if (worker) await stopProcessAndWait(worker.pid, false);
  });

  it('finds the phase gauge, time to active, the refusal by code, AWS calls by operation and the SDK metrics', async () => {
    const installId = uniqueInstallId('metrics');
    let whileActive = '';
    await onboardThroughApi(api, installId, {
      refusedFirst: true,
      whenActive: async () => {
        whileActive = await waitUntil(
          () => scrape(`${api.url}/metrics`),
          (page) => (sample(page, 'installs_by_phase', { phase: 'active' }) ?? 0) >= 1,
        );
      },
    });

    // The API: the install counted in its phase from visibility, and every request by route, method and status.
    expect(sample(whileActive, 'installs_by_phase_up')).toBe(1);
    const apiPage = await scrape(`${api.url}/metrics`);
    expect(sample(apiPage, 'install_api_requests_total', { method: 'POST', route: '/installs', status: '201' })).toBe(
      1,
    );
    expect(
      sample(apiPage, 'install_api_request_duration_seconds_count', {
        method: 'POST',
        route: '/installs/:installId/role-arn',
        status: '200',
      }),
    ).toBe(2);
    await waitUntil(
      () => scrape(`${api.url}/metrics`),
      (text) => (sample(text, 'installs_by_phase', { phase: 'deprovisioned' }) ?? 0) >= 1,
    );

    // The worker: ours beside the SDK's, once the workflow's last activation has been reported.
    const page = await waitUntil(
      () => scrape(workerMetrics),
      (text) => (sample(text, 'temporal_workflow_completed_total', { task_queue: taskQueue }) ?? 0) >= 1,
    );
    // The workflow meter's own tags are taskQueue and workflowType; Core's are task_queue and workflow_type.
    expect(sample(page, 'install_time_to_active_seconds_count', { taskQueue, workflowType: 'installWorkflow' })).toBe(
      1,
    );
    expect(sample(page, 'install_time_to_active_seconds_sum', { taskQueue })).toBeGreaterThan(0);
    expect(
      sample(page, 'install_verification_failures_total', { code: 'missing_permissions', check: 'onboarding' }),
    ).toBe(1);
    const operations = ['sts:AssumeRole', 'iam:GetRole', 'cloudformation:CreateStack', 's3:CreateBucket'];
    const calls = Object.fromEntries(
      operations.map((operation) => [operation, sample(page, 'install_aws_calls_total', { operation })]),
    );
    expect(Object.entries(calls).filter(([, count]) => !(count! > 0))).toEqual([]);
    // The refused probes (AssumeRole without the External ID) are AWS errors, counted by code.
    expect(sample(page, 'install_aws_call_errors_total', { operation: 'sts:AssumeRole' })).toBeGreaterThan(0);
    expect(sample(page, 'install_aws_call_duration_seconds_count', { operation: 'sts:AssumeRole' })).toBeGreaterThan(0);
    expect(
      sample(page, 'temporal_activity_execution_latency_count', { workflow_type: 'installWorkflow' }),
    ).toBeGreaterThan(0);

    // Tracing is off here: no activity carries a trace header (nothing added to history).
    expect(await tracedActivities(installId)).toEqual({ traced: 0, scheduled: expect.any(Number) });

    // Every line the API logged for a request to one of the install's routes names it, the request's last line too.
    const lines = logLines.map(
      (line) => JSON.parse(line) as { reqId?: string; installId?: string; req?: { url: string } },
    );
    const requests = new Set(
      lines.filter((line) => line.req?.url.startsWith(`/installs/${installId}`)).map((line) => line.reqId),
    );
    const aboutInstall = lines.filter((line) => requests.has(line.reqId));
    expect(aboutInstall.length).toBeGreaterThan(2 * 5);
    expect(aboutInstall.filter((line) => line.installId !== installId)).toEqual([]);
  }, 240_000);
});

describe('GET /metrics with METRICS_TOKEN', () => {
  const token = 'metrics-token-0123456789';
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ taskQueue: `metrics-token-${randomUUID()}`, metrics: { token } });
  });
  afterAll(async () => {
    await api?.app.close();
    await closeTestClient();
  });

  it('answers 401 without the token or with an API key, and the Prometheus text with it', async () => {
    const refused = await fetch(`${api.url}/metrics`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ type: 'urn:install-orchestrator:problem:unauthorized', status: 401 });
    expect((await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${api.apiKey}` } })).status).toBe(
      401,
    );
    const response = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toContain('# TYPE install_api_requests_total counter');
  });
});
