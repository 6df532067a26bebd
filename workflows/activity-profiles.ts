import {
  patched,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { InstallActivities } from '../activities';
import { callsAwsAsVendor, vendorCallsTaskQueue } from '../domain/vendor-calls';
import { releasePatch } from './patches';

// No nonRetryableErrorTypes here: an activity that meets an error no retry can fix throws it non-retryable
// (ApplicationFailure.nonRetryable, activities/aws/errors.ts), the one place that decides. A second list here
// had already drifted from what the activities throw.

/** One AWS call: retried with backoff on throttling, 5xx and network faults. */
export const quickAwsCall: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 8,
  },
};

/** Teardown gives up sooner: what it cannot remove is reported as a leftover rather than retried forever. */
export const teardownCall: ActivityOptions = {
  ...quickAwsCall,
  retry: { ...quickAwsCall.retry, maximumAttempts: 5, maximumInterval: '10 seconds' },
};

/**
 * Activities that call AWS as the vendor principal go to the rate-limited vendor-calls queue (domain/vendor-calls.ts),
 * the others to the install's own. Its own queue, not a limit on the install's: eager activity starts, which skip the
 * server's limiter, happen only on the workflow's own queue. Histories recorded before replay with every activity on
 * the install's queue.
 */
function proxyRouted(options: ActivityOptions): InstallActivities {
  // The release patch implies this one (workflows/patches.ts): a new run pays one marker for both.
  if (!patched(releasePatch) && !patched('vendor-calls-task-queue')) return proxyActivities<InstallActivities>(options);
  const own = proxyActivities<InstallActivities>(options);
  const vendor = proxyActivities<InstallActivities>({
    ...options,
    taskQueue: vendorCallsTaskQueue(workflowInfo().taskQueue),
  });
  return new Proxy(own, {
    get: (_, name) =>
      (typeof name === 'string' && callsAwsAsVendor(name) ? vendor : own)[name as keyof InstallActivities],
  });
}

/**
 * Each call carries a one-line summary, so the Temporal UI's timeline reads as the onboarding story
 * ("Create the CUR bucket cur-…") rather than a list of function names.
 */
export function quick(summary: string) {
  return proxyRouted({ ...quickAwsCall, summary });
}

export function teardown(summary: string) {
  return proxyRouted({ ...teardownCall, summary });
}

/**
 * Re-verification while active: a few quick attempts ride out a throttle or a blip; a refusal that persists is
 * drift to report now, not something to retry for minutes.
 */
export function healthCheck(summary: string) {
  return proxyRouted({
    summary,
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumAttempts: 3 },
  });
}

/**
 * AssumeRole until IAM has propagated the new role, bounded by `propagation`: a refusal that outlasts it is
 * the customer's to fix, not ours to keep retrying.
 */
export function roleVerification(propagation: Duration, summary: string) {
  // The customer watches the page meanwhile: a role that becomes assumable is noticed within 3 s (10 s before, which
  // with IAM's own delay made 27 s). At most one AssumeRole per 3 s per waiting install, on the vendor-calls queue.
  // Runs that verified before the change replay with the 10 s they recorded. It rides on the patch of the same release
  // (workflows/patches.ts, releasePatch): every patch a run asks costs it a marker and a search-attribute upsert.
  const maximumInterval = patched(releasePatch) ? '3 seconds' : '10 seconds';
  return proxyRouted({
    summary,
    scheduleToCloseTimeout: propagation,
    startToCloseTimeout: '30 seconds',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 1.5,
      maximumInterval,
    },
  });
}

/** Long CloudFormation waits: heartbeats show progress and reveal a dead worker in 30 s instead of the whole timeout. */
export function stackWait(timeout: Duration, summary: string) {
  return proxyRouted({
    summary,
    startToCloseTimeout: timeout,
    heartbeatTimeout: '30 seconds',
    retry: {
      initialInterval: '2 seconds',
      maximumAttempts: 5,
    },
  });
}

/**
 * What the worker answers alone, without AWS or any side effect outside it (its settings, a random External ID, a
 * registration token derived from its key): run as local activities, recorded as one marker in the workflow task
 * that asks, instead of scheduled, started and completed through the server with a workflow task of their own.
 */
export const inWorkerCall: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
};

/**
 * Local activities since compact history; runs from before scheduled them as ordinary activities and replay so.
 * Only for the activities named here.
 */
export function inWorker(tracker: { patches: { compactHistory: boolean } }, summary: string) {
  const activities = tracker.patches.compactHistory
    ? proxyLocalActivities<InstallActivities>({ ...inWorkerCall, summary })
    : quick(summary);
  return activities as Pick<InstallActivities, 'readInputLimits' | 'prepareOnboarding' | 'issueRunnerRegistration'>;
}
