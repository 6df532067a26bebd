import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;

/**
 * Events, payload bytes and the commands that shape a history (activities, timers, child workflows, search-attribute
 * upserts) per workflow, averaged over the given workflows' histories. The counts show when the install's shape has
 * drifted from the baseline's (bench/baseline-workflow.ts), which is meant to have the same number of each but the
 * upserts.
 */
export async function historyFigures(client: Client, workflowIds: string[]) {
  let events = 0;
  let payloadBytes = 0;
  const shape = { activities: 0, timers: 0, childWorkflows: 0, searchAttributeUpserts: 0 };
  const shapeOf: Partial<Record<number, keyof typeof shape>> = {
    [EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]: 'activities',
    [EventType.EVENT_TYPE_TIMER_STARTED]: 'timers',
    [EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED]: 'childWorkflows',
    [EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES]: 'searchAttributeUpserts',
  };
  const walk = (node: unknown): void => {
    if (node instanceof Uint8Array) payloadBytes += node.byteLength;
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
  };
  for (const workflowId of workflowIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    events += history.events?.length ?? 0;
    walk(history.events);
    for (const event of history.events ?? []) {
      const kind = shapeOf[event.eventType ?? 0];
      if (kind) shape[kind] += 1;
    }
  }
  const perRun = (total: number) => total / workflowIds.length;
  return {
    eventsPerRun: perRun(events),
    payloadBytesPerRun: perRun(payloadBytes),
    shapePerRun: {
      activities: perRun(shape.activities),
      timers: perRun(shape.timers),
      childWorkflows: perRun(shape.childWorkflows),
      searchAttributeUpserts: perRun(shape.searchAttributeUpserts),
    },
  };
}

export function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { p50: at(50), p95: at(95), p99: at(99) };
}
