import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;

/** The stretches of a lifecycle, cut where the driver's updates are accepted (and the role ARN's is answered). */
export const lifecycleStretches = ['onboarding', 'verification', 'provisioning', 'active', 'teardown'] as const;
export type LifecycleStretch = (typeof lifecycleStretches)[number];

/**
 * What the baseline must do to have the install's shape: how many activities and timers in each stretch, how many
 * child workflows it starts and how many of them it cancels. Measured from an install's own history, so the
 * baseline follows the install as it changes instead of drifting from a count written down once.
 */
export interface LifecycleShape {
  activities: Record<LifecycleStretch, number>;
  timers: Record<LifecycleStretch, number>;
  childWorkflows: number;
  cancelledChildren: number;
}

function zeroes(): Record<LifecycleStretch, number> {
  return { onboarding: 0, verification: 0, provisioning: 0, active: 0, teardown: 0 };
}

/** The shape of one finished lifecycle's history (install or baseline alike). */
export async function measureLifecycleShape(client: Client, workflowId: string): Promise<LifecycleShape> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const shape: LifecycleShape = { activities: zeroes(), timers: zeroes(), childWorkflows: 0, cancelledChildren: 0 };
  let stretch: LifecycleStretch = 'onboarding';
  let roleArnUpdateId: string | undefined;
  for (const event of history.events ?? []) {
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: {
        const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
        const name = accepted?.acceptedRequest?.input?.name;
        if (name === 'submitRoleArn' && stretch === 'onboarding') {
          stretch = 'verification';
          roleArnUpdateId = accepted?.acceptedRequest?.meta?.updateId ?? undefined;
        } else if (name === 'runnerCheckIn') stretch = 'active';
        else if (name === 'requestDeprovision') stretch = 'teardown';
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
        if (event.workflowExecutionUpdateCompletedEventAttributes?.meta?.updateId === roleArnUpdateId) {
          stretch = 'provisioning';
        }
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        shape.activities[stretch] += 1;
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED:
        shape.timers[stretch] += 1;
        break;
      case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        shape.childWorkflows += 1;
        break;
      case EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        shape.cancelledChildren += 1;
        break;
    }
  }
  return shape;
}
