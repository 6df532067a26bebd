import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { ApplicationFailure } from '@temporalio/common';
import { mockClient } from 'aws-sdk-client-mock';
import { createSandboxChangeSetActivities } from '../../activities/sandbox-change-set';
import {
  awsError,
  cloudFormationDeps,
  quietActivityEnvironment as environment,
  testAccess as access,
} from './aws-fakes';

const cloudFormation = mockClient(CloudFormationClient);
const activities = createSandboxChangeSetActivities(cloudFormationDeps());
const changeSetId = 'arn:aws:cloudformation:us-east-1:111111111111:changeSet/install-i-1-sandbox/abc';
const stackId = 'arn:aws:cloudformation:us-east-1:111111111111:stack/install-i-1-sandbox/def';
const planInput = {
  access,
  stackName: 'install-i-1-sandbox',
  changeSetName: 'install-i-1-sandbox',
  template: 'runner-minimal' as const,
  parameters: { ResourcePrefix: 'i-1-' },
  clientRequestToken: 'install-i-1',
};

beforeEach(() => cloudFormation.reset());

describe('the sandbox change set for approval', () => {
  it('asks CloudFormation for a CREATE change set of the sandbox template, with a client token', async () => {
    cloudFormation
      .on(DescribeChangeSetCommand)
      .rejects(awsError('ChangeSetNotFoundException', 'ChangeSet [install-i-1-sandbox] does not exist'));
    cloudFormation.on(CreateChangeSetCommand).resolves({ Id: changeSetId, StackId: stackId });
    expect(await environment().run(activities.createSandboxChangeSet, planInput)).toEqual({ changeSetId, stackId });
    const request = cloudFormation.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(request).toMatchObject({ ChangeSetType: 'CREATE', ClientToken: 'install-i-1-plan' });
    expect(JSON.parse(request.TemplateBody!).Resources.RunnerArtifacts.Type).toBe('AWS::S3::Bucket');
    expect(request.Parameters).toEqual([{ ParameterKey: 'ResourcePrefix', ParameterValue: 'i-1-' }]);
  });

  it('finds the change set a lost first attempt made instead of making a second stack', async () => {
    cloudFormation
      .on(DescribeChangeSetCommand)
      .resolves({ ChangeSetId: changeSetId, StackId: stackId, Status: 'CREATE_COMPLETE' });
    expect(await environment().run(activities.createSandboxChangeSet, planInput)).toEqual({ changeSetId, stackId });
    expect(cloudFormation.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  it('waits, heartbeating, until the change set is computed, and returns what it will change', async () => {
    cloudFormation
      .on(DescribeChangeSetCommand)
      .resolvesOnce({ Status: 'CREATE_IN_PROGRESS' })
      .resolves({
        Status: 'CREATE_COMPLETE',
        Changes: [
          {
            Type: 'Resource',
            ResourceChange: { Action: 'Add', LogicalResourceId: 'RunnerJobs', ResourceType: 'AWS::SQS::Queue' },
          },
        ],
      });
    const env = environment();
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const planned: { changes: unknown[] } = await env.run(activities.waitForSandboxChangeSet, { access, changeSetId });
    expect(planned.changes).toEqual([
      { action: 'Add', logicalResourceId: 'RunnerJobs', resourceType: 'AWS::SQS::Queue' },
    ]);
    expect(heartbeats).toEqual([
      { status: 'CREATE_IN_PROGRESS', poll: 1 },
      { status: 'CREATE_COMPLETE', poll: 2 },
    ]);
  });

  it('fails for good with the reason CloudFormation gives for a change set it could not compute', async () => {
    cloudFormation
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'FAILED', StatusReason: 'Template format error: Unresolved resource dependencies' });
    const failure = await environment()
      .run(activities.waitForSandboxChangeSet, { access, changeSetId })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'ChangeSetFailed', nonRetryable: true });
    expect((failure as Error).message).toContain('Unresolved resource dependencies');
  });

  it('takes a retried execution whose first attempt landed as done', async () => {
    cloudFormation
      .on(ExecuteChangeSetCommand)
      .rejects(awsError('InvalidChangeSetStatus', 'ChangeSet is in EXECUTE_IN_PROGRESS status'));
    cloudFormation.on(DescribeChangeSetCommand).resolves({ ExecutionStatus: 'EXECUTE_IN_PROGRESS' });
    await expect(
      environment().run(activities.executeSandboxChangeSet, { access, changeSetId, clientRequestToken: 'install-i-1' }),
    ).resolves.toBeUndefined();
    expect(cloudFormation.commandCalls(ExecuteChangeSetCommand)[0]!.args[0].input.ClientRequestToken).toBe(
      'install-i-1-execute',
    );
  });

  it('says so when the approved change set was deleted', async () => {
    cloudFormation
      .on(ExecuteChangeSetCommand)
      .rejects(awsError('ChangeSetNotFoundException', 'ChangeSet [abc] does not exist'));
    const failure = await environment()
      .run(activities.executeSandboxChangeSet, { access, changeSetId, clientRequestToken: 'install-i-1' })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ type: 'ChangeSetGone', nonRetryable: true });
  });
});
