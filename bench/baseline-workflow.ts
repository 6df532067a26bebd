import {
  condition,
  defineQuery,
  defineUpdate,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { createBaselineActivities } from './baseline-activities';
import type { LifecycleShape, LifecycleStretch } from './install-shape';

/**
 * The baseline the benchmark divides by: the install's shape with nothing inside it. The shape (activities and
 * timers per stretch of the lifecycle, child workflows started and cancelled) is measured from a warm-up install's
 * history (bench/install-shape.ts); the same three updates drive it; each activity is a no-op and each child waits
 * to be cancelled. Whatever the install costs beyond this is the orchestrator's own overhead.
 */
export const baselineStatusQuery = defineQuery<{ phase: string; ready: boolean }>('getStatus');
export const baselineSubmitUpdate = defineUpdate<{ verified: boolean }, [{ roleArn: string }]>('submitRoleArn');
export const baselineCheckInUpdate = defineUpdate<{ accepted: true }, [unknown]>('runnerCheckIn');
export const baselineDeprovisionUpdate = defineUpdate<{ phase: string }, [unknown]>('requestDeprovision');

const { noop } = proxyActivities<ReturnType<typeof createBaselineActivities>>({ startToCloseTimeout: '1 minute' });

/** Stands in for the install's first-report watch: started by the baseline, alive until it is cancelled. */
export async function baselineChildWorkflow(): Promise<void> {
  await condition(() => false);
}

export async function baselineWorkflow(shape: LifecycleShape): Promise<{ phase: string }> {
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
  const activities = async (stretch: LifecycleStretch) => {
    for (let i = 0; i < shape.activities[stretch]; i++) await noop();
  };
  // A wait is bounded by a timer where the install's is (one per stretch at most: its waits for the customer).
  const wait = (stretch: LifecycleStretch, done: () => boolean) =>
    shape.timers[stretch] > 0 ? condition(done, '7 days') : condition(done);
  const children = Array.from({ length: shape.childWorkflows }, (_, i) => `${workflowInfo().workflowId}-child-${i}`);

  await activities('onboarding');
  await wait('onboarding', () => submitted);
  phase = 'verifying_role';
  await activities('verification');
  verified = true;
  phase = 'provisioning';
  await activities('provisioning');
  for (const workflowId of children) {
    await startChild(baselineChildWorkflow, { workflowId, parentClosePolicy: ParentClosePolicy.ABANDON });
  }
  phase = 'handing_off';
  ready = true;
  await wait('provisioning', () => checkedIn);
  phase = 'active';
  await activities('active');
  await wait('active', () => deprovision);
  phase = 'deprovisioning';
  for (const workflowId of children.slice(0, shape.cancelledChildren)) {
    await getExternalWorkflowHandle(workflowId).cancel();
  }
  await activities('teardown');
  phase = 'deprovisioned';
  return { phase };
}
