import {
  log,
  patched,
  proxyLocalActivities,
  uuid4,
  workflowInfo,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { InstallActivities } from '../activities';
import { buildInstallEvent, type InstallEventType } from '../domain/webhook-events';
import { releasePatch } from './patches';
import { terminalPhases, type InstallStatus } from './status';

/**
 * Handing an event over is a signal-with-start from the worker (activities/webhooks.ts): retried for a while if
 * Temporal answers late, so an event outlives a blip; the install never waits for it.
 */
const publishCall: LocalActivityOptions = {
  summary: 'Publish the event to the webhook delivery workflow',
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/**
 * The install's events (domain/webhook-events.ts), handed one after another to its webhook delivery workflow, which
 * delivers them to each subscribed endpoint in this order. The story does not wait for them: `emit` queues and returns;
 * only the install's end waits for the queue to be handed over (`flushed`), not delivered. Installs that started before
 * events replay without them.
 *
 * Each hand-over answers with the types any endpoint takes; until the next one the run hands over only those. So a
 * deployment without webhooks costs a run one local-activity marker, not one per event; an endpoint added to the
 * worker's file is seen by a run at its next hand-over of a type it already took, or at its next run. Runs recorded
 * before the answer carried the types hand over every event, as they did.
 */
export class InstallEvents {
  private outbox: Promise<void> = Promise.resolve();
  private readonly enabled = patched(releasePatch);
  private subscribed: ReadonlySet<string> | undefined;

  constructor(private readonly status: InstallStatus) {}

  emit(type: InstallEventType, details: Record<string, unknown> = {}): void {
    if (!this.enabled) return;
    const { status } = this;
    const sequence = (status.eventSequence ?? 0) + 1;
    status.eventSequence = sequence;
    const { workflowId, runId } = workflowInfo();
    const event = buildInstallEvent({
      id: uuid4(),
      type,
      time: new Date().toISOString(),
      data: {
        installId: status.installId,
        orgId: status.orgId,
        awsAccountId: status.awsAccountId,
        phase: status.phase,
        sequence,
        workflow: { workflowId, runId },
        ...details,
      },
    });
    // Every ending enters its final phase last, so that phase change is the install's last event.
    const last = type === 'install.phase.changed' && terminalPhases.includes(status.phase);
    const publish = proxyLocalActivities<InstallActivities>(publishCall).publishInstallEvent;
    this.outbox = this.outbox
      .then(async () => {
        if (this.subscribed && !this.subscribed.has(type)) return;
        const answer = await publish({ sequence, event, ...(last ? { last } : {}) });
        if (answer.subscribed) this.learnSubscriptions(answer.subscribed);
      })
      .then(
        () => undefined,
        (error: unknown) => log.warn('install event not published', { type, sequence, error: String(error) }),
      );
  }

  /** The event types some endpoint takes, as the worker answered; until the next answer no other is handed over. */
  learnSubscriptions(types: readonly string[]): void {
    this.subscribed = new Set(types);
  }

  /** Resolves once every event emitted so far has been handed to the delivery workflow (or given up on). */
  flushed(): Promise<void> {
    return this.outbox;
  }
}
