import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { mockClient } from 'aws-sdk-client-mock';
import { createSandboxActivities } from '../../activities/sandbox';
import { cloudFormationDeps, testAccess as access } from './aws-fakes';

const cloudFormation = mockClient(CloudFormationClient);
const activities = createSandboxActivities(cloudFormationDeps());
const stackId = 'arn:aws:cloudformation:us-east-1:111111111111:stack/install-i-1-sandbox/abc';
const deployInput = {
  access,
  stackName: 'install-i-1-sandbox',
  template: 'runner-minimal' as const,
  parameters: {},
  clientRequestToken: 'install-i-1',
};

beforeEach(() => cloudFormation.reset());

describe('sandbox stack activities', () => {
  it('creates the stack with a client request token when it does not exist', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id install-i-1-sandbox does not exist'), {
        name: 'ValidationError',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    cloudFormation.on(CreateStackCommand).resolves({ StackId: stackId });
    const result = await new MockActivityEnvironment().run(activities.deploySandboxStack, deployInput);
    expect(result).toEqual({ stackId, operation: 'create' });
    expect(cloudFormation.commandCalls(CreateStackCommand)[0]!.args[0].input.ClientRequestToken).toBe(
      'install-i-1-create',
    );
  });

  it('updates an existing stack and treats "no updates" as done', async () => {
    cloudFormation.on(CreateStackCommand).rejects(
      Object.assign(new Error('Stack [install-i-1-sandbox] already exists'), {
        name: 'AlreadyExistsException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackId: stackId, StackName: 'n', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }],
    });
    cloudFormation.on(UpdateStackCommand).rejects(
      Object.assign(new Error('No updates are to be performed.'), {
        name: 'ValidationError',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const result = await new MockActivityEnvironment().run(activities.deploySandboxStack, deployInput);
    expect(result).toEqual({ stackId, operation: 'none' });
    expect(cloudFormation.commandCalls(UpdateStackCommand)).toHaveLength(1);
  });

  it('heartbeats each status while waiting and returns the outputs', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .resolvesOnce({
        Stacks: [{ StackId: stackId, StackName: 'n', StackStatus: 'CREATE_IN_PROGRESS', CreationTime: new Date() }],
      })
      .resolves({
        Stacks: [
          {
            StackId: stackId,
            StackName: 'n',
            StackStatus: 'CREATE_COMPLETE',
            CreationTime: new Date(),
            Outputs: [{ OutputKey: 'ArtifactsBucket', OutputValue: 'bucket-1' }],
          },
        ],
      });
    const environment = new MockActivityEnvironment();
    const heartbeats: unknown[] = [];
    environment.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const result = await environment.run(activities.waitForSandboxStack, { access, stackId });
    expect(result).toEqual({ stackStatus: 'CREATE_COMPLETE', outputs: { ArtifactsBucket: 'bucket-1' } });
    expect(heartbeats).toEqual([
      { stackStatus: 'CREATE_IN_PROGRESS', poll: 1 },
      { stackStatus: 'CREATE_COMPLETE', poll: 2 },
    ]);
  });

  it('fails for good with the reasons CloudFormation gave when the stack rolls back', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackId: stackId, StackName: 'n', StackStatus: 'ROLLBACK_COMPLETE', CreationTime: new Date() }],
    });
    cloudFormation.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        {
          StackId: stackId,
          StackName: 'n',
          EventId: '1',
          Timestamp: new Date(),
          LogicalResourceId: 'RunnerJobs',
          ResourceStatus: 'CREATE_FAILED',
          ResourceStatusReason: 'Queue name taken',
        },
      ],
    });
    const failure = await new MockActivityEnvironment()
      .run(activities.waitForSandboxStack, { access, stackId })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'StackFailed', nonRetryable: true });
    expect((failure as Error).message).toContain('RunnerJobs: Queue name taken');
  });

  it('stops polling when the activity is cancelled', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackId: stackId, StackName: 'n', StackStatus: 'CREATE_IN_PROGRESS', CreationTime: new Date() }],
    });
    const slow = createSandboxActivities({ ...cloudFormationDeps(), pollIntervalMs: 60_000 });
    const environment = new MockActivityEnvironment();
    const running = environment.run(slow.waitForSandboxStack, { access, stackId });
    environment.on('heartbeat', () => environment.cancel('CANCELLED'));
    const failure = await running.catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CancelledFailure);
    expect(failure).toMatchObject({ message: 'CANCELLED' });
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(1);
  });

  it('resumes a retried wait from its last heartbeat: the same stack, the count carried on, nothing created', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .resolvesOnce({
        Stacks: [{ StackId: stackId, StackName: 'n', StackStatus: 'CREATE_IN_PROGRESS', CreationTime: new Date() }],
      })
      .resolves({
        Stacks: [{ StackId: stackId, StackName: 'n', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }],
      });
    // The worker that ran attempt 1 died after its seventh poll; the server hands its last heartbeat to attempt 2.
    const environment = new MockActivityEnvironment({
      attempt: 2,
      heartbeatDetails: { stackStatus: 'CREATE_IN_PROGRESS', poll: 7 },
    });
    const heartbeats: unknown[] = [];
    environment.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const result = await environment.run(activities.waitForSandboxStack, { access, stackId });
    expect(result).toMatchObject({ stackStatus: 'CREATE_COMPLETE' });
    expect(heartbeats).toEqual([
      { stackStatus: 'CREATE_IN_PROGRESS', poll: 8 },
      { stackStatus: 'CREATE_COMPLETE', poll: 9 },
    ]);
    const described = cloudFormation.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input.StackName);
    expect(described).toEqual([stackId, stackId]);
    expect(cloudFormation.commandCalls(CreateStackCommand)).toHaveLength(0);
    expect(cloudFormation.commandCalls(UpdateStackCommand)).toHaveLength(0);
  });
});
