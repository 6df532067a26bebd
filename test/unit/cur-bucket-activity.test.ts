import {
  CreateBucketCommand,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  PutBucketTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { mockClient } from 'aws-sdk-client-mock';
import { createCostReportActivities } from '../../activities/cost-report';
import type { ActivityDeps } from '../../activities/deps';
import { awsError, fakeSessions, testAccess } from './aws-fakes';

const s3 = mockClient(S3Client);
const deps = {
  sessions: fakeSessions({ s3: new S3Client({ region: 'us-east-1' }) }),
} as ActivityDeps;
const { ensureCurBucket } = createCostReportActivities(deps);
const input = { access: testAccess, bucket: 'cur-111111111111-i-1' };

function attempt(heartbeatDetails?: unknown) {
  const environment = new MockActivityEnvironment(
    { attempt: heartbeatDetails ? 2 : 1, heartbeatDetails },
    { logger: new DefaultLogger('ERROR') },
  );
  const heartbeats: unknown[] = [];
  environment.on('heartbeat', (details: unknown) => heartbeats.push(details));
  return { run: () => environment.run(ensureCurBucket, input), heartbeats };
}

describe('ensureCurBucket, when an answer is lost', () => {
  beforeEach(() => s3.reset());

  it('claims before creating, so a retry can tell its own untagged bucket from the customer’s', async () => {
    s3.on(HeadBucketCommand).rejects(awsError('NotFound', 'Not Found', 404));
    s3.on(CreateBucketCommand).rejects(awsError('RequestTimeout', 'the answer was lost', 500));
    const first = attempt();
    await expect(first.run()).rejects.toThrow();
    expect(first.heartbeats).toEqual([{ absentBeforeCreate: true }]);
  });

  it('takes an untagged bucket as its own, and tags it, when an earlier attempt saw none and asked S3 to create it', async () => {
    s3.on(HeadBucketCommand).resolves({});
    s3.on(GetBucketTaggingCommand).rejects(awsError('NoSuchTagSet', 'The TagSet does not exist', 404));
    s3.on(PutBucketTaggingCommand).resolves({});
    await expect(attempt({ absentBeforeCreate: true }).run()).resolves.toEqual({ createdByInstall: true });
    expect(s3.commandCalls(PutBucketTaggingCommand)[0]?.args[0].input.Tagging?.TagSet).toEqual([
      { Key: expect.any(String), Value: testAccess.installId },
    ]);
  });

  it('leaves an untagged bucket that was there before it looked as the customer’s', async () => {
    s3.on(HeadBucketCommand).resolves({});
    s3.on(GetBucketTaggingCommand).rejects(awsError('NoSuchTagSet', 'The TagSet does not exist', 404));
    await expect(attempt().run()).resolves.toEqual({ createdByInstall: false });
    expect(s3.commandCalls(PutBucketTaggingCommand)).toHaveLength(0);
  });
});
