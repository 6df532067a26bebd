import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { InstallActivities } from '../activities';
import { durationMs } from '../domain/durations';
import type {
  InstallCloudEvent,
  InstallEventEnvelope,
  WebhookDeliveryNews,
  WebhookDeliveryPolicy,
} from '../domain/webhook-events';
import { defaultWebhookDeliveryPolicy } from '../domain/webhook-events';
import { installEventSignal, webhookDeliveryNewsSignal } from './definitions';

/** One endpoint's queue of this install's events, in the install's order, and how its deliveries fare. */
export interface DeliveryLane {
  endpointId: string;
  queue: Array<{ sequence: number; event: InstallCloudEvent }>;
  delivered: number;
  dropped: number;
  lastError?: string;
  failingSince?: string;
  /** What the install was last told, so it is told again only when something changed. */
  reported?: string;
  /** The wait before the next attempt while deliveries fail: the backoff goes on across rounds. */
  backoffMs?: number;
}

export interface WebhookDeliveryInput {
  installId: string;
  /** Carried across continue-as-new. */
  lanes?: DeliveryLane[];
  lastSequence?: number;
  finalSequence?: number;
  policy?: WebhookDeliveryPolicy;
  /** Continue as new once history holds this many events (default 5,000), besides when Temporal suggests it. */
  historyEventLimit?: number;
}

export interface WebhookDeliveryState {
  installId: string;
  lastSequence: number;
  finalSequence?: number;
  lanes: DeliveryLane[];
}

export const webhookDeliveryStatusQuery = defineQuery<WebhookDeliveryState>('webhookDeliveryStatus');

/** The deepest message of a failure: the receiver's answer, not "activity task failed". */
function failureMessage(error: unknown): string {
  let cause: unknown = error;
  let message = String(error);
  while (cause instanceof Error) {
    if (cause instanceof ApplicationFailure || !(cause instanceof ActivityFailure)) message = cause.message;
    cause = (cause as { cause?: unknown }).cause;
  }
  return message;
}

/**
 * Delivers one install's events to the vendor's webhook endpoints: started by the install's first event
 * (signal-with-start from activities/webhooks.ts), one lane per endpoint, each delivering its events one at a time in
 * the install's order, so a dead endpoint delays only its own. A delivery is rounds of an activity whose retry policy
 * backs off (doubling up to `maximumInterval`, the series going on across rounds); a round that fails tells the install
 * (its status lists the endpoint), until the event is older than `window` and is dropped. The webhook-id is the
 * event's id on every attempt, so a receiver deduping by it sees each event once even when a worker dies between the
 * POST and its completion. Ends once the install's last event is delivered; continues as new when history is long.
 */
export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<WebhookDeliveryState> {
  const lanes = new Map((input.lanes ?? []).map((lane) => [lane.endpointId, lane]));
  let lastSequence = input.lastSequence ?? 0;
  let finalSequence = input.finalSequence;
  let policy = input.policy ?? defaultWebhookDeliveryPolicy;
  let stopping = false;
  const running: Array<Promise<void>> = [];

  const state = (): WebhookDeliveryState => ({
    installId: input.installId,
    lastSequence,
    finalSequence,
    lanes: [...lanes.values()],
  });
  /**
   * One round of attempts, its retries backing off from the lane's current wait; a round that fails tells the
   * install, waits the next backoff, and a new round goes on from there, so the backoff is one doubling series up to
   * maximumInterval whatever the rounds.
   */
  const attemptsPerRound = 4;
  const deliveryRound = (lane: DeliveryLane, head: DeliveryLane['queue'][number]) =>
    proxyActivities<InstallActivities>({
      summary: `POST ${head.event.type} #${head.sequence} to ${lane.endpointId}`,
      // The POST gives up after 10 s (domain/webhook-events.ts); a worker that died mid-POST is found after this.
      startToCloseTimeout: '15 seconds',
      retry: {
        initialInterval: lane.backoffMs ?? policy.initialInterval,
        backoffCoefficient: 2,
        maximumInterval: policy.maximumInterval,
        maximumAttempts: attemptsPerRound,
      },
    }).deliverWebhook;
  const nextBackoff = (lane: DeliveryLane, doublings: number) =>
    Math.min(
      (lane.backoffMs ?? durationMs(policy.initialInterval)) * 2 ** doublings,
      durationMs(policy.maximumInterval),
    );

  setHandler(webhookDeliveryStatusQuery, () => JSON.parse(JSON.stringify(state())) as WebhookDeliveryState);

  const tellInstall = async (lane: DeliveryLane) => {
    const news: WebhookDeliveryNews = {
      endpointId: lane.endpointId,
      pending: lane.queue.length,
      lastError: lane.lastError,
      failingSince: lane.failingSince,
      dropped: lane.dropped,
    };
    const said = JSON.stringify(news);
    if (said === lane.reported) return;
    lane.reported = said;
    try {
      await getExternalWorkflowHandle(input.installId).signal(webhookDeliveryNewsSignal, news);
    } catch (error) {
      // The install may have ended: its status is final, nobody reads it for this.
      if (isCancellation(error)) throw error;
    }
  };

  const runLane = async (lane: DeliveryLane) => {
    while (!stopping) {
      await condition(() => stopping || lane.queue.length > 0);
      if (stopping) return;
      const head = lane.queue[0]!;
      try {
        await deliveryRound(lane, head)({ endpointId: lane.endpointId, event: head.event });
        lane.queue.shift();
        lane.delivered += 1;
        lane.backoffMs = undefined;
        if (lane.failingSince) {
          lane.failingSince = undefined;
          lane.lastError = undefined;
          await tellInstall(lane);
        }
      } catch (error) {
        if (isCancellation(error)) throw error;
        lane.lastError = failureMessage(error);
        lane.failingSince ??= new Date().toISOString();
        const permanent =
          error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.nonRetryable;
        if (permanent || Date.now() >= Date.parse(head.event.time) + durationMs(policy.window)) {
          lane.queue.shift();
          lane.dropped += 1;
        }
        await tellInstall(lane);
        const wait = nextBackoff(lane, attemptsPerRound - 1);
        lane.backoffMs = nextBackoff(lane, attemptsPerRound);
        await condition(() => stopping, wait);
      }
    }
  };

  const startLane = (lane: DeliveryLane) => running.push(runLane(lane));

  // Before the handler: setting it delivers the signal that came with the start, which may open a lane of its own.
  for (const lane of lanes.values()) startLane(lane);
  setHandler(installEventSignal, (envelope: InstallEventEnvelope) => {
    // The install hands events over one after another; an older sequence is a handover retried after it succeeded.
    if (envelope.sequence <= lastSequence) return;
    lastSequence = envelope.sequence;
    policy = envelope.policy;
    if (envelope.last) finalSequence = envelope.sequence;
    for (const endpointId of envelope.endpointIds) {
      let lane = lanes.get(endpointId);
      if (!lane) {
        lane = { endpointId, queue: [], delivered: 0, dropped: 0 };
        lanes.set(endpointId, lane);
        startLane(lane);
      }
      lane.queue.push({ sequence: envelope.sequence, event: envelope.event });
    }
  });

  const historyIsLong = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= (input.historyEventLimit ?? 5_000);
  const allDelivered = () => [...lanes.values()].every((lane) => lane.queue.length === 0);
  await condition(() => historyIsLong() || (finalSequence !== undefined && allDelivered()));
  stopping = true;
  await Promise.all(running);
  await condition(allHandlersFinished);
  if (finalSequence !== undefined && allDelivered()) return state();
  return continueAsNew<typeof webhookDeliveryWorkflow>({
    installId: input.installId,
    lanes: [...lanes.values()],
    lastSequence,
    finalSequence,
    policy,
    historyEventLimit: input.historyEventLimit,
  });
}
