/** The sandbox templates an install can ask for. */
export type SandboxTemplateName = 'runner-minimal';

/**
 * The sandbox is what the runner needs in the customer account: a bucket for its artifacts and a queue for its
 * jobs. Names start with the install's prefix, which is all the provision policy lets the role create.
 */
export function renderSandboxTemplate(template: SandboxTemplateName): Record<string, unknown> {
  switch (template) {
    case 'runner-minimal':
      return {
        AWSTemplateFormatVersion: '2010-09-09',
        Description: 'Install sandbox: runner artifacts bucket and job queue.',
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
        },
        Outputs: {
          ArtifactsBucket: { Value: { Ref: 'RunnerArtifacts' } },
          JobsQueueUrl: { Value: { Ref: 'RunnerJobs' } },
        },
      };
  }
}
