import { onboardingCallbackFunctionSource } from './onboarding-callback-function';

/*
 * Zero-paste onboarding in a role template: two parameters (where to report, and the one-time token) and, when the
 * URL is given, a custom resource whose Lambda posts the role's ARN there once the role exists. The install's role
 * template and the organization's management role template both carry it; only the role differs.
 */

export const roleCallbackParameters = {
  CallbackUrl: {
    Type: 'String',
    Default: '',
    Description: 'Where the stack reports the role ARN (filled in by the onboarding link); empty: paste it instead.',
  },
  CallbackToken: {
    Type: 'String',
    Default: '',
    NoEcho: true,
    Description: 'The one-time token of that callback.',
  },
};

export const roleCallbackConditions = {
  ReportsBack: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'CallbackUrl' }, ''] }] },
};

/** The Lambda, its execution role and the custom resource that reports `roleLogicalId`'s ARN. */
export function roleCallbackResources(options: {
  roleLogicalId: string;
  customResourceType: string;
  description: string;
}): Record<string, unknown> {
  return {
    RoleCallbackFunctionRole: {
      Type: 'AWS::IAM::Role',
      Condition: 'ReportsBack',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        ManagedPolicyArns: [
          { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' },
        ],
      },
    },
    RoleCallbackFunction: {
      Type: 'AWS::Lambda::Function',
      Condition: 'ReportsBack',
      Properties: {
        Description: options.description,
        Runtime: 'python3.12',
        Handler: 'index.handler',
        Timeout: 60,
        Role: { 'Fn::GetAtt': ['RoleCallbackFunctionRole', 'Arn'] },
        Code: { ZipFile: onboardingCallbackFunctionSource },
      },
    },
    RoleCallback: {
      Type: options.customResourceType,
      Condition: 'ReportsBack',
      Properties: {
        ServiceToken: { 'Fn::GetAtt': ['RoleCallbackFunction', 'Arn'] },
        CallbackUrl: { Ref: 'CallbackUrl' },
        CallbackToken: { Ref: 'CallbackToken' },
        RoleArn: { 'Fn::GetAtt': [options.roleLogicalId, 'Arn'] },
      },
    },
  };
}
