/**
 * Every AWS call made as the vendor principal goes through one task queue of its own, which Temporal rate-limits for
 * all workers together: AssumeRole into customer accounts (verification, re-verification, the External ID probes)
 * and every activity that may assume the customer role before it calls the customer's account. The STS quota of the
 * vendor's account is shared by every customer, so 500 installs checked at once would be throttled together.
 *
 * The queue's name derives from the install's own task queue, so a worker, a test worker and the workflow agree on it
 * with nothing more configured.
 */
export function vendorCallsTaskQueue(taskQueue: string): string {
  return `${taskQueue}-vendor-calls`;
}

/**
 * The activities that never call AWS as the vendor, which stay on the install's own task queue: the External ID and
 * kit (the API waits on them), the reminder, the runner's registration. Any other activity is rate-limited, a new one
 * too until it is listed here: over-counting spends budget, under-counting would spend the quota.
 */
export const activitiesWithoutVendorCalls: readonly string[] = [
  'prepareOnboarding',
  'readInputLimits',
  'sendRoleReminder',
  'issueRunnerRegistration',
  'publishInstallEvent',
  'deliverWebhook',
];

export function callsAwsAsVendor(activityName: string): boolean {
  return !activitiesWithoutVendorCalls.includes(activityName);
}

/**
 * The ceiling on activities started per second from the vendor-calls queue (VENDOR_CALLS_PER_SECOND). Each makes at
 * most one AssumeRole as the vendor: verification and the probes always do, the others only when this worker holds no
 * session for the role yet (activities/aws/customer-session.ts caches one per process for its lifetime); the calls
 * into the customer's account that follow are signed by the customer's session, not the vendor's. Retries are new
 * starts and count.
 *
 * AWS documents STS's request quota as 600 requests per second per account and Region
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html, "AWS STS request quotas").
 * The default takes half: Temporal's limiter is a token bucket holding one second's worth, so a queue that was idle
 * may start twice the rate within one second, and the SDK may send a throttled AssumeRole once more (maxAttempts 2);
 * half keeps either under the quota, and leaves room for anything else the vendor account does with STS. 300 a second
 * also covers 100,000 installs re-verified hourly (about 195 starts a second, bench/README.md) with room for onboarding.
 */
export const vendorCallsPerSecond = { default: 300, min: 1, max: 600 } as const;
