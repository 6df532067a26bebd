import { metricMeter, workflowInfo } from '@temporalio/workflow';
import { installMetrics } from '../domain/install-metrics';

/*
 * Through the SDK's workflow meter: no command, nothing in history, and nothing recorded while a worker replays (the
 * SDK drops metrics then), so each figure counts once however often a history is replayed.
 */

/** A new install's first `active`: seconds since its workflow chain started. */
export function recordTimeToActive(): void {
  const seconds = (Date.now() - workflowInfo().startTime.getTime()) / 1000;
  metricMeter
    .createHistogram(installMetrics.timeToActive, 'float', 's', 'From the start of an install to its first active')
    .record(Math.max(0, seconds));
}

/** A role check that failed, by the catalog's code: at onboarding, or a re-verification of an active install. */
export function countVerificationFailure(code: string, check: 'onboarding' | 'reverification'): void {
  metricMeter
    .createCounter(installMetrics.verificationFailures, '1', 'Role checks that failed, by catalog code')
    .add(1, { code, check });
}
