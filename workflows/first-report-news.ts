import { describeFailure } from './failures';
import type { FirstReportNews } from './definitions';
import type { InstallTracker } from './install-tracker';

/** Records what the first-report watch found: the delivery, or that it is later than AWS promises. */
export function recordFirstReportNews(tracker: InstallTracker, news: FirstReportNews): void {
  const watch = tracker.status.cur?.firstReport;
  if (!watch || watch.state === 'stopped' || watch.state === 'delivered') return;
  if (news.kind === 'delivered') {
    tracker.recordFirstReport({ delivered: { at: news.at, manifestKey: news.manifestKey } });
    return;
  }
  tracker.recordFirstReport({
    overdue: {
      ...describeFailure({
        code: 'cur_first_report_overdue',
        message: `No cost report has been delivered since ${news.since}; AWS usually delivers the first within 24 hours.`,
      }),
      at: new Date().toISOString(),
    },
  });
}
