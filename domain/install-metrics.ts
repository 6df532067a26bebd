/**
 * The orchestrator's own metrics, recorded through the Temporal runtime's meter (the workflow's `metricMeter`, the
 * worker's for AWS calls) and served with the SDK's at the worker's Prometheus endpoint (WORKER_METRICS_ADDRESS).
 * Names here are as recorded; Prometheus shows counters with `_total`.
 */
export const installMetrics = {
  /** Histogram, seconds: from the install's start to its first `active`; recorded once per install. */
  timeToActive: 'install_time_to_active_seconds',
  /** Counter by `code` (the error catalog's) and `check` (`onboarding`, `reverification`): a role check that failed. */
  verificationFailures: 'install_verification_failures',
  /** Counter by `operation` (`sts:AssumeRole`): AWS calls the activities made, each once however often the SDK retried. */
  awsCalls: 'install_aws_calls',
  /** Counter by `operation` and `code` (AWS's error name): AWS calls that failed. */
  awsCallErrors: 'install_aws_call_errors',
  /** Histogram, seconds, by `operation`: how long AWS took to answer. */
  awsCallDuration: 'install_aws_call_duration_seconds',
} as const;

/** Onboarding waits on people: minutes to days. AWS answers in milliseconds to seconds. */
export const installMetricBuckets: Record<string, number[]> = {
  [installMetrics.timeToActive]: [
    10,
    30,
    60,
    120,
    300,
    600,
    1800,
    3600,
    4 * 3600,
    12 * 3600,
    86_400,
    3 * 86_400,
    7 * 86_400,
  ],
  [installMetrics.awsCallDuration]: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
};
