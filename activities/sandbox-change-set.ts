import {
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
  type CloudFormationClient,
  type DescribeChangeSetCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CustomerAccessInput } from '../domain/customer-access';
import type { PlannedChange } from '../domain/planned-change';
import { awsErrorCode, callAws, rethrowAwsError } from './aws/errors';
import type { ActivityDeps } from './deps';
import { sandboxStackRequest, type DeployStackInput } from './sandbox';

export interface SandboxChangeSet {
  changeSetId: string;
  /** The stack CloudFormation holds in REVIEW_IN_PROGRESS until the change set is executed or the stack deleted. */
  stackId: string;
}

const pending = new Set(['CREATE_PENDING', 'CREATE_IN_PROGRESS']);

function isMissingChangeSet(error: unknown): boolean {
  const code = awsErrorCode(error);
  return (
    code === 'ChangeSetNotFound' ||
    code === 'ChangeSetNotFoundException' ||
    (code === 'ValidationError' && /does not exist/.test((error as Error).message))
  );
}

async function describeChangeSet(
  cloudFormation: CloudFormationClient,
  changeSetName: string,
  stackName?: string,
): Promise<DescribeChangeSetCommandOutput | undefined> {
  try {
    return await cloudFormation.send(
      new DescribeChangeSetCommand({ ChangeSetName: changeSetName, StackName: stackName }),
    );
  } catch (error) {
    if (isMissingChangeSet(error)) return undefined;
    rethrowAwsError(error, 'cloudformation:DescribeChangeSet');
  }
}

function plannedChanges(changeSet: DescribeChangeSetCommandOutput): PlannedChange[] {
  return (changeSet.Changes ?? []).flatMap(({ ResourceChange: change }) =>
    change
      ? [
          {
            action: change.Action ?? 'Unknown',
            logicalResourceId: change.LogicalResourceId ?? '',
            resourceType: change.ResourceType ?? '',
            ...(change.Replacement ? { replacement: change.Replacement } : {}),
          },
        ]
      : [],
  );
}

export function createSandboxChangeSetActivities(deps: ActivityDeps) {
  return {
    /**
     * Asks CloudFormation what creating the sandbox would do, without doing it: a CREATE change set, which leaves an
     * empty stack in REVIEW_IN_PROGRESS. Looked up by name first, so a retry whose first answer was lost finds the one
     * it made instead of making a second stack.
     */
    async createSandboxChangeSet(input: DeployStackInput & { changeSetName: string }): Promise<SandboxChangeSet> {
      const { cloudFormation } = await deps.sessions.clients(input.access);
      const existing = await describeChangeSet(cloudFormation, input.changeSetName, input.stackName);
      if (existing?.ChangeSetId && existing.StackId) {
        return { changeSetId: existing.ChangeSetId, stackId: existing.StackId };
      }
      const created = await callAws('cloudformation:CreateChangeSet', () =>
        cloudFormation.send(
          new CreateChangeSetCommand({
            StackName: input.stackName,
            ChangeSetName: input.changeSetName,
            ChangeSetType: 'CREATE',
            ...sandboxStackRequest(input),
            ClientToken: `${input.clientRequestToken}-plan`,
            Description: 'What the install will create once its plan is approved.',
            Tags: [{ Key: 'install-orchestrator:stack', Value: input.stackName }],
          }),
        ),
      );
      return { changeSetId: created.Id!, stackId: created.StackId! };
    },

    /** Waits (heartbeating) until CloudFormation has computed the change set, and returns what it will change. */
    async waitForSandboxChangeSet(input: {
      access: CustomerAccessInput;
      changeSetId: string;
    }): Promise<{ changes: PlannedChange[] }> {
      const { cloudFormation } = await deps.sessions.clients(input.access);
      const context = Context.current();
      for (let poll = 1; ; poll++) {
        const changeSet = await describeChangeSet(cloudFormation, input.changeSetId);
        if (!changeSet) {
          throw ApplicationFailure.nonRetryable(`Change set ${input.changeSetId} no longer exists.`, 'ChangeSetGone');
        }
        context.heartbeat({ status: changeSet.Status, poll });
        if (changeSet.Status === 'CREATE_COMPLETE') return { changes: plannedChanges(changeSet) };
        if (!pending.has(changeSet.Status ?? '')) {
          throw ApplicationFailure.nonRetryable(
            `CloudFormation could not plan the sandbox: ${changeSet.Status}: ${changeSet.StatusReason ?? 'no reason given'}`,
            'ChangeSetFailed',
            { status: changeSet.Status, statusReason: changeSet.StatusReason },
          );
        }
        await context.sleep(deps.pollIntervalMs);
      }
    },

    /** Creates the sandbox exactly as approved. A retry after the first execution landed is success. */
    async executeSandboxChangeSet(input: {
      access: CustomerAccessInput;
      changeSetId: string;
      clientRequestToken: string;
    }): Promise<void> {
      const { cloudFormation } = await deps.sessions.clients(input.access);
      try {
        await cloudFormation.send(
          new ExecuteChangeSetCommand({
            ChangeSetName: input.changeSetId,
            ClientRequestToken: `${input.clientRequestToken}-execute`,
          }),
        );
      } catch (error) {
        const changeSet =
          awsErrorCode(error) === 'InvalidChangeSetStatus'
            ? await describeChangeSet(cloudFormation, input.changeSetId)
            : undefined;
        if (changeSet?.ExecutionStatus?.startsWith('EXECUTE_')) return;
        if (isMissingChangeSet(error)) {
          throw ApplicationFailure.nonRetryable(
            `The approved change set ${input.changeSetId} no longer exists (was the sandbox stack deleted?).`,
            'ChangeSetGone',
          );
        }
        rethrowAwsError(error, 'cloudformation:ExecuteChangeSet');
      }
    },
  };
}
