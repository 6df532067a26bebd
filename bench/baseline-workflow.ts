import { condition, defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createBaselineActivities } from './baseline-activities';

/**
 * The baseline the benchmark divides by: the install's shape with nothing inside it. The same number of
 * activities (15 on the happy path to deprovisioned), the same three updates and the same two timer-bounded waits,
 * each activity a no-op. Whatever the install costs beyond this is the orchestrator's own overhead.
 */
export const baselineStatusQuery = defineQuery<{ phase: string; ready: boolean }>('getStatus');
export const baselineSubmitUpdate = defineUpdate<{ verified: boolean }, [{ roleArn: string }]>('submitRoleArn');
export const baselineCheckInUpdate = defineUpdate<{ accepted: true }, [unknown]>('runnerCheckIn');
export const baselineDeprovisionUpdate = defineUpdate<{ phase: string }, [unknown]>('requestDeprovision');

const { noop } = proxyActivities<ReturnType<typeof createBaselineActivities>>({ startToCloseTimeout: '1 minute' });

export async function baselineWorkflow(): Promise<{ phase: string }> {
  let phase = 'awaiting_role';
  let ready = false;
  let submitted = false;
  let verified = false;
  let checkedIn = false;
  let deprovision = false;
  setHandler(baselineStatusQuery, () => ({ phase, ready }));
  setHandler(baselineSubmitUpdate, async () => {
    submitted = true;
    await condition(() => verified);
    return { verified };
  });
  setHandler(baselineCheckInUpdate, () => {
    checkedIn = true;
    return { accepted: true as const };
  });
  setHandler(baselineDeprovisionUpdate, () => {
    deprovision = true;
    return { phase };
  });

  await noop();
  await condition(() => submitted, '7 days');
  phase = 'verifying_role';
  for (let i = 0; i < 3; i++) await noop();
  verified = true;
  phase = 'provisioning';
  for (let i = 0; i < 6; i++) await noop();
  phase = 'handing_off';
  ready = true;
  await condition(() => checkedIn, '1 hour');
  phase = 'active';
  await condition(() => deprovision);
  phase = 'deprovisioning';
  for (let i = 0; i < 5; i++) await noop();
  phase = 'deprovisioned';
  return { phase };
}
