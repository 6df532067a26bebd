import { randomBytes } from 'node:crypto';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { customerAccount, stack } from '../helpers';

/**
 * The local AWS endpoint (moto with devstack/moto_server.py's fix 13) answers concurrent requests as AWS does: each
 * one whole, whatever else is in flight. moto's backends are plain dictionaries that its threaded server shared
 * between requests, so two stacks creating IAM roles at once could fail one CreateStack with a 500 ("dictionary
 * changed size during iteration") and leave that stack in CREATE_IN_PROGRESS for ever, which no stack in AWS does:
 * it ends CREATE_COMPLETE or, failing, CREATE_FAILED / ROLLBACK_COMPLETE.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html#cfn-console-view-stack-data-resources-status-codes
 */
const stacks = 40;
const rolesPerStack = 50;
// moto finds a role by name or ARN by scanning every role of the account (GetRole, CreateRole's duplicate check,
// every request signed by a role's session), so readers scanning while the stacks insert roles widen the window the
// race needs: without the fix, a run of this test fails nearly every time.
const scanners = 10;

function rolesTemplate(stackName: string): string {
  const role = (index: number) => ({
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: `${stackName}-${index}`,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
    },
  });
  return JSON.stringify({
    Resources: Object.fromEntries(Array.from({ length: rolesPerStack }, (_, index) => [`Role${index}`, role(index)])),
  });
}

describe('the local AWS endpoint under concurrent requests (moto fix 13)', () => {
  // One attempt: a 500 is what this checks for, and the SDK would retry it away.
  const cloudFormation = new CloudFormationClient({
    region: 'us-east-1',
    endpoint: stack.awsEndpoint,
    credentials: customerAccount.credentials,
    maxAttempts: 1,
  });
  const iam = new IAMClient({
    region: 'us-east-1',
    endpoint: stack.awsEndpoint,
    credentials: customerAccount.credentials,
    maxAttempts: 1,
  });
  const names = Array.from({ length: stacks }, (_, index) => `concurrency-${randomBytes(3).toString('hex')}-${index}`);
  afterAll(async () => {
    await Promise.all(names.map((name) => cloudFormation.send(new DeleteStackCommand({ StackName: name }))));
    cloudFormation.destroy();
    iam.destroy();
  });

  it(`creates ${stacks} stacks with ${rolesPerStack} IAM roles each, sent at once beside role reads, and every one ends CREATE_COMPLETE`, async () => {
    const failed = (error: Error & { $metadata?: { httpStatusCode?: number } }) =>
      `${error.$metadata?.httpStatusCode}: ${error.message.slice(0, 120)}`;
    let creating = true;
    const scans = Promise.all(
      Array.from({ length: scanners }, async () => {
        const answers: string[] = [];
        while (creating) {
          answers.push(
            await iam.send(new GetRoleCommand({ RoleName: `absent-${randomBytes(3).toString('hex')}` })).then(
              () => 'found',
              (error: Error & { name: string }) => (error.name === 'NoSuchEntityException' ? 'absent' : failed(error)),
            ),
          );
        }
        return answers;
      }),
    );
    const answers = await Promise.all(
      names.map((name) =>
        cloudFormation
          .send(
            new CreateStackCommand({
              StackName: name,
              TemplateBody: rolesTemplate(name),
              Capabilities: ['CAPABILITY_NAMED_IAM'],
            }),
          )
          .then(() => 'created', failed),
      ),
    );
    creating = false;
    expect(answers.filter((answer) => answer !== 'created')).toEqual([]);
    const reads = (await scans).flat();
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.filter((answer) => answer !== 'absent')).toEqual([]);
    const statuses = await Promise.all(
      names.map(
        async (name) =>
          (await cloudFormation.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0]?.StackStatus,
      ),
    );
    expect(statuses.filter((status) => status !== 'CREATE_COMPLETE')).toEqual([]);
  });
});
