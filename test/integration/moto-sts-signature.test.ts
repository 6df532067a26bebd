import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { buildRunnerIdentityProof } from '../../client/runner-identity-proof';
import { customerAccount, stack } from '../helpers';

/**
 * The local AWS endpoint (moto with devstack/moto_server.py's fix 5) checks sts:GetCallerIdentity's SigV4 signature
 * as STS does: the signature against the secret key it issued, the X-Amz-Date within 15 minutes of its clock, and
 * an Authorization header with every part.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
const minutes = 60_000;

/** GetCallerIdentity signed as if the clock were `offsetMs` off; one attempt, so the SDK does not correct its clock. */
async function callerIdentity(offsetMs: number, secretAccessKey = customerAccount.credentials.secretAccessKey) {
  const sts = new STSClient({
    region: 'us-east-1',
    endpoint: stack.awsEndpoint,
    credentials: { ...customerAccount.credentials, secretAccessKey },
    systemClockOffset: offsetMs,
    maxAttempts: 1,
  });
  try {
    const answer = await sts.send(new GetCallerIdentityCommand({}));
    return { arn: answer.Arn };
  } catch (error) {
    const { name, message, $metadata } = error as Error & { $metadata: { httpStatusCode?: number } };
    return { error: name, message, status: $metadata.httpStatusCode };
  } finally {
    sts.destroy();
  }
}

describe('the local AWS endpoint checks GetCallerIdentity signatures as STS does', () => {
  it('answers a request signed within 15 minutes of its clock', async () => {
    expect(await callerIdentity(0)).toEqual({ arn: customerAccount.principalArn });
    expect(await callerIdentity(-10 * minutes)).toEqual({ arn: customerAccount.principalArn });
  });

  it('refuses a signature older than 15 minutes as expired, and one dated over 15 minutes ahead as not yet current', async () => {
    expect(await callerIdentity(-20 * minutes)).toMatchObject({
      error: 'SignatureDoesNotMatch',
      status: 403,
      message: expect.stringMatching(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z/),
    });
    expect(await callerIdentity(20 * minutes)).toMatchObject({
      error: 'SignatureDoesNotMatch',
      status: 403,
      message: expect.stringMatching(/^Signature not yet current: /),
    });
  });

  it('refuses a signature made with another secret key', async () => {
    expect(await callerIdentity(0, `x${customerAccount.credentials.secretAccessKey.slice(1)}`)).toMatchObject({
      error: 'SignatureDoesNotMatch',
      status: 403,
      message: expect.stringContaining('does not match'),
    });
  });

  it('answers IncompleteSignature (400), not a server error, when the signature leaves out X-Amz-Date', async () => {
    const proof = await buildRunnerIdentityProof('fidelity', {
      region: 'us-east-1',
      endpoint: stack.awsEndpoint,
      credentials: customerAccount.credentials,
    });
    const unsigned = proof.headers.authorization!.replace(';x-amz-date', '');
    const headers = Object.fromEntries(
      Object.entries({ ...proof.headers, authorization: unsigned }).filter(
        ([name]) => !['host', 'content-length', 'x-amz-date'].includes(name),
      ),
    );
    const response = await fetch(proof.url, { method: 'POST', headers, body: proof.body });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>IncompleteSignature</Code>');
  });

  it('leaves the other STS actions as moto had them (the fix is scoped to GetCallerIdentity)', async () => {
    const sts = new STSClient({
      region: 'us-east-1',
      endpoint: stack.awsEndpoint,
      credentials: customerAccount.credentials,
      systemClockOffset: -20 * minutes,
      maxAttempts: 1,
    });
    try {
      const refused = await sts
        .send(
          new AssumeRoleCommand({
            RoleArn: `arn:aws:iam::${customerAccount.accountId}:role/none`,
            RoleSessionName: 's',
          }),
        )
        .catch((error: Error) => error);
      expect((refused as Error).message).not.toMatch(/Signature expired/);
    } finally {
      sts.destroy();
    }
  });
});
