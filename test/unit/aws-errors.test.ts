import { ApplicationFailure } from '@temporalio/common';
import { callAws, isTransientAwsError } from '../../activities/aws/errors';

import { awsError as sdkError } from './aws-fakes';

const awsError = (name: string, httpStatusCode: number) => sdkError(name, `${name} happened`, httpStatusCode);

describe('AWS error classification', () => {
  it.each([
    ['ThrottlingException', 400],
    ['Throttling', 400],
    ['SlowDown', 503],
    ['InternalFailure', 500],
    ['SomethingNew', 502],
    ['ExpiredToken', 400],
    // A body cut off mid-answer: the SDK's deserialization error on AWS's 200.
    ['Error', 200],
  ])('treats %s (HTTP %d) as transient', (name, status) => {
    expect(isTransientAwsError(awsError(name, status))).toBe(true);
  });

  it('rethrows a transient error unchanged so the retry policy retries it', async () => {
    const error = awsError('ThrottlingException', 400);
    await expect(callAws('sts:AssumeRole', () => Promise.reject(error))).rejects.toBe(error);
  });

  it('turns a permanent AWS error into a non-retryable failure typed by the AWS code', async () => {
    const failure = await callAws('s3:PutBucketPolicy', () => Promise.reject(awsError('MalformedPolicy', 400))).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'MalformedPolicy', nonRetryable: true });
    expect((failure as ApplicationFailure).details?.[0]).toEqual({
      awsErrorCode: 'MalformedPolicy',
      operation: 's3:PutBucketPolicy',
      httpStatus: 400,
      requestId: 'req-1',
    });
  });

  it('rethrows errors that did not come from AWS (bugs, network) unchanged', async () => {
    const bug = new TypeError('undefined is not a function');
    await expect(callAws('iam:GetRole', () => Promise.reject(bug))).rejects.toBe(bug);
  });
});
