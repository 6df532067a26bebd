import { DefaultLogger, type LogEntry } from '@temporalio/worker';

/** What went wrong in one worker process while it served the benchmark: none of it may happen on the happy path. */
export interface WorkerHealth {
  /** Workflow tasks the worker failed (a workflow missing from the bundle, non-determinism): each is retried forever. */
  workflowTaskFailures: number;
  /** Activity attempts that threw: the zero-latency AWS answers every call, so any is a fault in the bench or code. */
  activityFailures: number;
  /** The first few of either, to say what it was. */
  samples: string[];
}

const sampleLimit = 5;
const sampleChars = 300;

function describe(entry: LogEntry): string {
  const meta = entry.meta ?? {};
  const what = meta.workflowType ?? meta.activityType ?? '';
  const cause = meta.failure ?? meta.error ?? '';
  return `${entry.message}${what ? ` (${String(what)})` : ''}${cause ? `: ${String(cause)}` : ''}`;
}

/** The failure's own message: Core logs the whole failure, stack trace included, as one debug string. */
function summarize(line: string): string {
  const message = /message: "((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
  const summary = message ? `${line.split(':')[0]}: ${message}` : line.split('\n')[0]!;
  return summary.slice(0, sampleChars);
}

/**
 * The Runtime logger of a benchmark worker process: counts workflow-task and activity failures (from the SDK and,
 * forwarded, from its Core) and writes every warning and error to the process's log.
 *
 * @example
 * const health = countingLogger();
 * Runtime.install({ logger: health.logger, telemetryOptions: { logging: { filter: { core: 'WARN' }, forward: {} } } });
 * health.snapshot(); // { workflowTaskFailures: 0, activityFailures: 0, samples: [] }
 */
export function countingLogger(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
  const health: WorkerHealth = { workflowTaskFailures: 0, activityFailures: 0, samples: [] };
  const logger = new DefaultLogger('WARN', (entry) => {
    const line = describe(entry);
    write(`${entry.level} ${line}`);
    const failure = isWorkflowTaskFailure(entry)
      ? 'workflowTaskFailures'
      : isActivityFailure(entry)
        ? 'activityFailures'
        : undefined;
    if (!failure) return;
    health[failure] += 1;
    const sample = summarize(line);
    if (health.samples.length < sampleLimit && !health.samples.includes(sample)) health.samples.push(sample);
  });
  return {
    logger,
    snapshot: (): WorkerHealth => ({ ...health, samples: [...health.samples] }),
    reset: () => {
      health.workflowTaskFailures = 0;
      health.activityFailures = 0;
      health.samples = [];
    },
  };
}

/** The SDK's word for an activity attempt that threw. */
export function isActivityFailure(entry: Pick<LogEntry, 'message'>): boolean {
  return entry.message === 'Activity failed';
}

/** Core says "Failing workflow task" when the SDK hands back a failed activation. */
export function isWorkflowTaskFailure(entry: Pick<LogEntry, 'message'>): boolean {
  return /failing workflow task|workflow task failed|failed to activate workflow/i.test(entry.message);
}
