import { durationMs, parseDuration } from '../domain/durations';
import { nextSlotAfter } from '../domain/install-slots';
import { continueAsNew, getExternalWorkflowHandle, isCancellation, patched, sleep } from '@temporalio/workflow';
import { quick } from './activity-profiles';
import { firstReportNewsSignal, type FirstReportNews, type FirstReportWatchInput } from './definitions';

export const firstReportWatchDefaults = {
  pollEvery: '30 minutes',
  overdueAfter: '48 hours',
  pollsPerRun: 100,
} as const;

export function firstReportWatchId(installId: string): string {
  return `${installId}/first-report-watch`;
}

/**
 * Watches the CUR bucket for the first report's manifest and tells the install when it appears. A child workflow
 * abandoned by its parent, so the install neither waits for it nor loses it when it continues as new; the install
 * cancels it on teardown. AWS can take 24 hours, so the watch continues as new every `pollsPerRun` polls. The first
 * poll is at once; the others on the install's slots (domain/install-slots.ts), one per `pollEvery`.
 */
export async function firstReportWatchWorkflow(
  input: FirstReportWatchInput,
): Promise<{ manifestKey: string; polls: number }> {
  const pollEvery = input.options.pollEvery ?? firstReportWatchDefaults.pollEvery;
  const overdueAt =
    Date.parse(input.startedAt) + durationMs(input.options.overdueAfter ?? firstReportWatchDefaults.overdueAfter);
  const pollsPerRun = input.options.pollsPerRun ?? firstReportWatchDefaults.pollsPerRun;
  let polls = input.pollsSoFar ?? 0;
  let overdueReported = input.overdueReported ?? false;

  for (let pollsThisRun = 0; pollsThisRun < pollsPerRun; pollsThisRun++) {
    polls += 1;
    const found = await quick('Look for the first cost report in the bucket').findReportManifest({
      access: input.access,
      bucket: input.bucket,
      keyPrefix: input.keyPrefix,
      fileName: input.fileName,
    });
    if (found.key) {
      await tellInstall(input.installId, {
        kind: 'delivered',
        at: found.deliveredAt ?? new Date().toISOString(),
        manifestKey: found.key,
      });
      return { manifestKey: found.key, polls };
    }
    if (!overdueReported && Date.now() >= overdueAt) {
      await tellInstall(input.installId, { kind: 'overdue', since: input.startedAt });
      overdueReported = true;
    }
    const pollEveryMs = parseDuration(pollEvery);
    if (pollEveryMs !== undefined && patched('first-report-polls-on-install-slots')) {
      // On the install's own slots, so that installs onboarded together do not poll their buckets together.
      await sleep(nextSlotAfter(input.installId, 'first-report-poll', pollEveryMs, Date.now()) - Date.now());
    } else {
      await sleep(pollEvery);
    }
  }
  return continueAsNew<typeof firstReportWatchWorkflow>({ ...input, pollsSoFar: polls, overdueReported });
}

async function tellInstall(installId: string, news: FirstReportNews): Promise<void> {
  try {
    await getExternalWorkflowHandle(installId).signal(firstReportNewsSignal, news);
  } catch (error) {
    // The install may have ended meanwhile (deprovisioned): then nobody is waiting for the news.
    if (isCancellation(error)) throw error;
  }
}
