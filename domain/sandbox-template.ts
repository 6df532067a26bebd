/** The sandbox templates an install can ask for. */
export type SandboxTemplateName = 'runner-minimal';

/**
 * The sandbox is what the runner needs in the customer account: a bucket for its artifacts, a queue for its jobs
 * and the role it runs as. Names start with the install's prefix, which is all the provision policy lets the role create.
 */
export function renderSandboxTemplate(template: SandboxTemplateName): Record<string, unknown> {
  switch (template) {
    case 'runner-minimal':
      return {
        AWSTemplateFormatVersion: '2010-09-09',
        Description: 'Install sandbox: runner artifacts bucket, job queue and runner role.',
        Parameters: {
          ResourcePrefix: { Type: 'String', AllowedPattern: '[a-z0-9-]+' },
          AccountId: { Type: 'String', AllowedPattern: '[0-9]{12}' },
          JobVisibilityTimeout: { Type: 'Number', Default: 300, MinValue: 0, MaxValue: 43200 },
        },
        Resources: {
          RunnerArtifacts: {
            Type: 'AWS::S3::Bucket',
            Properties: { BucketName: { 'Fn::Sub': '${ResourcePrefix}${AccountId}-artifacts' } },
          },
          RunnerJobs: {
            Type: 'AWS::SQS::Queue',
            Properties: {
              QueueName: { 'Fn::Sub': '${ResourcePrefix}runner-jobs' },
              VisibilityTimeout: { Ref: 'JobVisibilityTimeout' },
            },
          },
          // Who the runner is: the check-in accepts only a session of this role (domain/runner-identity.ts). It has
          // no permissions of its own; the runner's compute (an instance profile, a task role) or the account's
          // administrators assume it.
          RunnerRole: {
            Type: 'AWS::IAM::Role',
            Properties: {
              RoleName: { 'Fn::Sub': '${ResourcePrefix}runner' },
              AssumeRolePolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Principal: { Service: ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'] },
                    Action: 'sts:AssumeRole',
                  },
                  {
                    Effect: 'Allow',
                    Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AccountId}:root' } },
                    Action: 'sts:AssumeRole',
                  },
                ],
              },
            },
          },
        },
        Outputs: {
          ArtifactsBucket: { Value: { Ref: 'RunnerArtifacts' } },
          JobsQueueUrl: { Value: { Ref: 'RunnerJobs' } },
          RunnerRoleArn: { Value: { 'Fn::GetAtt': ['RunnerRole', 'Arn'] } },
        },
      };
  }
}
