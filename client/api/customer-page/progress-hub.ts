import type { InstallStatus } from '../../../workflows/definitions';
import { InstallNotFoundError } from '../../install-service';
import { onboardingGeneration } from '../../../security/customer-link-token';
import { announce, customerView, renderProgress, renderRoleResult, type CustomerView } from './view';

/** One server-sent event: its name and its data (one JSON line). */
export interface ProgressEvent {
  event: 'progress' | 'revoked' | 'gone';
  data: unknown;
}

interface Subscriber {
  generation: string;
  send: (event: ProgressEvent) => void;
  end: () => void;
  lastSent?: string;
}

interface Watch {
  subscribers: Set<Subscriber>;
  timer?: NodeJS.Timeout;
  latest?: { generation: string; data: string; finished: boolean };
}

/** What the page receives on each change: the view, and its fragments already rendered and escaped. */
export function progressPayload(view: CustomerView) {
  return {
    phase: view.phase,
    finished: view.finished,
    waitingForAws: view.waitingForAws,
    verified: view.role?.verifiedAt !== undefined,
    progressHtml: renderProgress(view),
    roleResultHtml: renderRoleResult(view),
    announcement: announce(view),
  };
}

/**
 * Pushes an install's progress to the customer pages watching it: one status read per interval per install however
 * many pages watch it, at most `maxPerInstall` streams per install, and every stream ended once the install is active
 * or has ended (there is nothing more to show) or its onboarding was restarted (the link was revoked).
 */
export class ProgressHub {
  private readonly watches = new Map<string, Watch>();
  private closed = false;

  constructor(
    private readonly readStatus: (installId: string) => Promise<InstallStatus>,
    private readonly options: { intervalMs: number; maxPerInstall: number },
  ) {}

  /** Status reads made so far, for tests and metrics. */
  reads = 0;

  hasRoom(installId: string): boolean {
    return !this.closed && (this.watches.get(installId)?.subscribers.size ?? 0) < this.options.maxPerInstall;
  }

  /** Adds a page; false when the install already has as many streams as allowed. Returns the unsubscribe. */
  subscribe(installId: string, subscriber: Subscriber): (() => void) | false {
    if (this.closed) return false;
    const watch = this.watches.get(installId) ?? { subscribers: new Set<Subscriber>() };
    if (watch.subscribers.size >= this.options.maxPerInstall) return false;
    watch.subscribers.add(subscriber);
    if (!this.watches.has(installId)) {
      this.watches.set(installId, watch);
      void this.tick(installId, watch);
    } else if (watch.latest) {
      this.deliver(installId, watch, subscriber, watch.latest);
    }
    return () => this.remove(installId, watch, subscriber);
  }

  private remove(installId: string, watch: Watch, subscriber: Subscriber): void {
    watch.subscribers.delete(subscriber);
    if (watch.subscribers.size === 0) {
      clearTimeout(watch.timer);
      if (this.watches.get(installId) === watch) this.watches.delete(installId);
    }
  }

  private deliver(installId: string, watch: Watch, subscriber: Subscriber, latest: NonNullable<Watch['latest']>) {
    if (subscriber.generation !== latest.generation) {
      subscriber.send({
        event: 'revoked',
        data: { detail: 'Onboarding was restarted: ask the vendor for the new link.' },
      });
      this.remove(installId, watch, subscriber);
      subscriber.end();
      return;
    }
    if (subscriber.lastSent !== latest.data) {
      subscriber.lastSent = latest.data;
      subscriber.send({ event: 'progress', data: JSON.parse(latest.data) });
    }
    if (latest.finished) {
      this.remove(installId, watch, subscriber);
      subscriber.end();
    }
  }

  private async tick(installId: string, watch: Watch): Promise<void> {
    if (watch.subscribers.size === 0 || this.closed) return;
    try {
      this.reads += 1;
      const status = await this.readStatus(installId);
      const view = customerView(status);
      watch.latest = {
        generation: onboardingGeneration(status.onboarding?.callback?.callbackId),
        data: JSON.stringify(progressPayload(view)),
        finished: view.finished,
      };
      for (const subscriber of [...watch.subscribers]) this.deliver(installId, watch, subscriber, watch.latest);
    } catch (error) {
      if (error instanceof InstallNotFoundError) {
        for (const subscriber of [...watch.subscribers]) {
          subscriber.send({ event: 'gone', data: { detail: 'No such install.' } });
          this.remove(installId, watch, subscriber);
          subscriber.end();
        }
        return;
      }
      // Temporal late or away: the pages keep what they show and the next read tries again.
    }
    if (watch.subscribers.size > 0 && !this.closed) {
      watch.timer = setTimeout(() => void this.tick(installId, watch), this.options.intervalMs);
    }
  }

  /** Ends every stream (the server is closing: open streams would hold it open). */
  close(): void {
    this.closed = true;
    for (const [installId, watch] of this.watches) {
      clearTimeout(watch.timer);
      for (const subscriber of [...watch.subscribers]) {
        this.remove(installId, watch, subscriber);
        subscriber.end();
      }
    }
    this.watches.clear();
  }
}
