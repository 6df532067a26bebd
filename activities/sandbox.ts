import {
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CustomerAccessInput } from '../domain/customer-access';
import { awsErrorCode, callAws, rethrowAwsError } from './aws/errors';
import type { ActivityDeps } from './deps';
import { renderSandboxTemplate, type SandboxTemplateName } from '../domain/sandbox-template';

export interface DeployStackInput {
  access: CustomerAccessInput;
  stackName: string;
  /** Rendered here rather than passed in, so the template's kilobytes are not copied into workflow history. */
  template: SandboxTemplateName;
  parameters: Record<string, string>;
  /** Stable per install and operation, so CloudFormation recognises a retried request as the same one. */
  clientRequestToken: string;
}

export type StackOperation = 'create' | 'update' | 'none';

/** A settled stack as the install records it; the install already knows the stack's id. */
export interface SettledStack {
  stackStatus: string;
  outputs: Record<string, string>;
}

const inProgress = /_IN_PROGRESS$/;
const succeeded = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);

function stackOutputs(stack: Stack): Record<string, string> {
  return Object.fromEntries((stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']));
}

function isMissingStack(error: unknown): boolean {
  return awsErrorCode(error) === 'ValidationError' && /does not exist/.test((error as Error).message);
}

async function describeStack(cloudFormation: CloudFormationClient, stackName: string): Promise<Stack | undefined> {
  try {
    const response = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return response.Stacks?.[0];
  } catch (error) {
    if (isMissingStack(error)) return undefined;
    rethrowAwsError(error, 'cloudformation:DescribeStacks');
  }
}

/** The reasons CloudFormation gave for failed resources, newest first: what the customer needs to read. */
async function failureReasons(cloudFormation: CloudFormationClient, stackId: string): Promise<string[]> {
  const events = await callAws('cloudformation:DescribeStackEvents', () =>
    cloudFormation.send(new DescribeStackEventsCommand({ StackName: stackId })),
  );
  return (events.StackEvents ?? [])
    .filter((event) => event.ResourceStatus?.endsWith('_FAILED') && event.ResourceStatusReason)
    .map((event) => `${event.LogicalResourceId}: ${event.ResourceStatusReason}`)
    .slice(0, 5);
}

/**
 * Describes the stack until it leaves every *_IN_PROGRESS status, heartbeating each status. A retry after a worker
 * died carries on counting from the last heartbeat, so the progress shown never goes backwards.
 */
async function pollUntilSettled(
  cloudFormation: CloudFormationClient,
  stackId: string,
  intervalMs: number,
): Promise<{ stack: Stack | undefined; status: string }> {
  const context = Context.current();
  const resumedFrom = (context.info.heartbeatDetails as { poll?: number } | undefined)?.poll ?? 0;
  for (let poll = resumedFrom + 1; ; poll++) {
    const stack = await describeStack(cloudFormation, stackId);
    const status = stack?.StackStatus ?? 'DELETE_COMPLETE';
    context.heartbeat({ stackStatus: status, poll });
    if (!inProgress.test(status)) return { stack, status };
    await context.sleep(intervalMs);
  }
}

/** The template and parameters of the sandbox stack, as CreateStack and CreateChangeSet both take them. */
export function sandboxStackRequest(input: Pick<DeployStackInput, 'template' | 'parameters'>) {
  return {
    TemplateBody: JSON.stringify(renderSandboxTemplate(input.template)),
    Parameters: Object.entries(input.parameters).map(([ParameterKey, ParameterValue]) => ({
      ParameterKey,
      ParameterValue,
    })),
  };
}

export function createSandboxActivities(deps: ActivityDeps) {
  return {
    /** CreateStack, or UpdateStack when it already exists (a retry, or a re-run after a crash). */
    async deploySandboxStack(input: DeployStackInput): Promise<{ stackId: string; operation: StackOperation }> {
      const { cloudFormation } = await deps.sessions.clients(input.access);
      const request = sandboxStackRequest(input);
      // Create first: on the common path that is the only call; a stack that exists answers AlreadyExistsException.
      try {
        const created = await cloudFormation.send(
          new CreateStackCommand({
            StackName: input.stackName,
            ...request,
            ClientRequestToken: `${input.clientRequestToken}-create`,
            Tags: [{ Key: 'install-orchestrator:stack', Value: input.stackName }],
          }),
        );
        return { stackId: created.StackId ?? input.stackName, operation: 'create' };
      } catch (error) {
        if (awsErrorCode(error) !== 'AlreadyExistsException') rethrowAwsError(error, 'cloudformation:CreateStack');
      }
      const existing = await describeStack(cloudFormation, input.stackName);
      if (!existing)
        throw new Error(`Stack ${input.stackName} was reported to exist but cannot be described yet; retrying`);
      if (existing.StackStatus === 'ROLLBACK_COMPLETE') {
        throw ApplicationFailure.nonRetryable(
          `Stack ${input.stackName} is in ROLLBACK_COMPLETE from an earlier failed create; it must be deleted first.`,
          'StackNeedsDeletion',
        );
      }
      if (inProgress.test(existing.StackStatus ?? '')) {
        return { stackId: existing.StackId ?? input.stackName, operation: 'create' };
      }
      try {
        await cloudFormation.send(
          new UpdateStackCommand({
            StackName: input.stackName,
            ...request,
            ClientRequestToken: `${input.clientRequestToken}-update`,
          }),
        );
        return { stackId: existing.StackId ?? input.stackName, operation: 'update' };
      } catch (error) {
        if (
          awsErrorCode(error) === 'ValidationError' &&
          /No updates are to be performed/.test((error as Error).message)
        ) {
          return { stackId: existing.StackId ?? input.stackName, operation: 'none' };
        }
        rethrowAwsError(error, 'cloudformation:UpdateStack');
      }
    },

    /**
     * Polls until the stack settles, heartbeating its status so the Temporal UI shows progress and a worker that
     * dies mid-wait is noticed within the heartbeat timeout; a retry simply polls again.
     */
    async waitForSandboxStack(input: { access: CustomerAccessInput; stackId: string }): Promise<SettledStack> {
      const { cloudFormation } = await deps.sessions.clients(input.access);
      const { stack, status } = await pollUntilSettled(cloudFormation, input.stackId, deps.pollIntervalMs);
      if (stack && succeeded.has(status)) {
        return { stackStatus: status, outputs: stackOutputs(stack) };
      }
      const reasons = stack ? await failureReasons(cloudFormation, input.stackId) : [];
      throw ApplicationFailure.nonRetryable(
        `Sandbox stack ended in ${status}${reasons.length ? `: ${reasons.join('; ')}` : ''}`,
        'StackFailed',
        { stackStatus: status, reasons, stackStatusReason: stack?.StackStatusReason },
      );
    },

    /**
     * Read-only capability probe while active: DescribeStacks needs the role's permissions, not just its trust
     * policy, and it notices a sandbox the customer deleted.
     */
    async inspectSandboxStack(input: {
      access: CustomerAccessInput;
      stackId: string;
    }): Promise<{ stackStatus: string }> {
      const { cloudFormation } = await deps.sessions.clients(input.access);
      const stack = await describeStack(cloudFormation, input.stackId);
      return { stackStatus: stack?.StackStatus ?? 'DELETE_COMPLETE' };
    },

    /** Starts deletion; a stack that is already gone is success. The install waits on the id it already holds. */
    async deleteSandboxStack(input: { access: CustomerAccessInput; stackName: string }): Promise<void> {
      const { cloudFormation } = await deps.sessions.clients(input.access);
      const stack = await describeStack(cloudFormation, input.stackName);
      if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return;
      await callAws('cloudformation:DeleteStack', () =>
        cloudFormation.send(new DeleteStackCommand({ StackName: stack.StackId ?? input.stackName })),
      );
    },

    async waitForSandboxStackDeletion(input: { access: CustomerAccessInput; stackId: string }): Promise<void> {
      const { cloudFormation } = await deps.sessions.clients(input.access);
      const { status } = await pollUntilSettled(cloudFormation, input.stackId, deps.pollIntervalMs);
      if (status === 'DELETE_COMPLETE') return;
      const reasons = await failureReasons(cloudFormation, input.stackId);
      throw ApplicationFailure.nonRetryable(
        `Sandbox stack deletion ended in ${status}: ${reasons.join('; ')}`,
        'StackDeleteFailed',
        { stackStatus: status, reasons },
      );
    },
  };
}
