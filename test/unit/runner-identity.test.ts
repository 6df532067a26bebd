import { buildRunnerIdentityProof } from '../../client/runner-identity-proof';
import {
  checkProofRequest,
  checkRunnerArn,
  readStsAnswer,
  refusalOfStsError,
  RunnerProofRefused,
  runnerProofMaxSkewMs,
  type RunnerIdentityProof,
} from '../../domain/runner-identity';

const stsEndpoint = 'https://sts.eu-west-1.amazonaws.com/';
const installId = 'acme-prod';
const credentials = {
  accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
  secretAccessKey: 's'.repeat(40),
  sessionToken: 't'.repeat(600),
};

function proofFor(id = installId, endpoint = stsEndpoint): Promise<RunnerIdentityProof> {
  return buildRunnerIdentityProof(id, { region: 'eu-west-1', endpoint, credentials });
}

function refusalOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof RunnerProofRefused) return error.code;
    throw error;
  }
  return 'accepted';
}

const check = (proof: RunnerIdentityProof | undefined, now = Date.now()) =>
  refusalOf(() => checkProofRequest(proof, { stsEndpoint, installId, now }));

describe('runner identity proofs, before STS is asked', () => {
  it('builds a proof that signs the server-id header with the install id, and forwards only signed headers', async () => {
    const proof = await proofFor();
    expect(proof).toMatchObject({
      method: 'POST',
      url: stsEndpoint,
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(proof.headers.authorization).toMatch(/SignedHeaders=[^,]*x-orchestrator-server-id/);
    expect(proof.headers['x-orchestrator-server-id']).toBe(installId);
    const request = checkProofRequest(
      { ...proof, headers: { ...proof.headers, 'x-extra': 'unsigned' } },
      {
        stsEndpoint,
        installId,
        now: Date.now(),
      },
    );
    expect(request.url).toBe(stsEndpoint);
    expect(request.headers['x-extra']).toBeUndefined();
    expect(request.headers['x-amz-security-token']).toBe(credentials.sessionToken);
  });

  it('refuses a check-in without a proof', () => {
    expect(check(undefined)).toBe('runner_proof_missing');
  });

  it('refuses a proof dated more than 5 minutes away from now, either way (replay)', async () => {
    const proof = await proofFor();
    expect(check(proof)).toBe('accepted');
    expect(check(proof, Date.now() + runnerProofMaxSkewMs + 60_000)).toBe('runner_proof_expired');
    expect(check(proof, Date.now() - runnerProofMaxSkewMs - 60_000)).toBe('runner_proof_expired');
  });

  it('refuses a proof addressed to any other URL, host or path than the configured STS endpoint', async () => {
    const elsewhere = await proofFor(installId, 'https://attacker.example/');
    expect(check(elsewhere)).toBe('runner_proof_wrong_endpoint');
    const proof = await proofFor();
    expect(check({ ...proof, url: 'https://sts.eu-west-1.amazonaws.com/?Action=AssumeRole' })).toBe(
      'runner_proof_wrong_endpoint',
    );
    expect(check({ ...proof, url: 'http://sts.eu-west-1.amazonaws.com/' })).toBe('runner_proof_wrong_endpoint');
    expect(check({ ...proof, headers: { ...proof.headers, host: 'attacker.example' } })).toBe(
      'runner_proof_wrong_endpoint',
    );
  });

  it('refuses a proof made for another install, or whose server id is not signed', async () => {
    expect(check(await proofFor('other-install'))).toBe('runner_proof_wrong_server');
    const proof = await proofFor();
    const unsigned = proof.headers.authorization!.replace(';x-orchestrator-server-id', '');
    expect(check({ ...proof, headers: { ...proof.headers, authorization: unsigned } })).toBe(
      'runner_proof_wrong_server',
    );
  });

  it('refuses any other action or method, an unsigned date, a header outside the list, and fields over their bounds', async () => {
    const proof = await proofFor();
    expect(check({ ...proof, body: 'Action=AssumeRole&Version=2011-06-15' })).toBe('runner_proof_malformed');
    expect(check({ ...proof, body: `${proof.body}&RoleArn=x` })).toBe('runner_proof_malformed');
    expect(check({ ...proof, method: 'GET' })).toBe('runner_proof_malformed');
    const transferEncoding = proof.headers.authorization!.replace('SignedHeaders=', 'SignedHeaders=transfer-encoding;');
    expect(
      check({
        ...proof,
        headers: { ...proof.headers, authorization: transferEncoding, 'transfer-encoding': 'chunked' },
      }),
    ).toBe('runner_proof_malformed');
    expect(check({ ...proof, headers: { ...proof.headers, authorization: 'Bearer x' } })).toBe(
      'runner_proof_malformed',
    );
    const undated = Object.fromEntries(Object.entries(proof.headers).filter(([name]) => name !== 'x-amz-date'));
    expect(check({ ...proof, headers: undated })).toBe('runner_proof_malformed');
    expect(check({ ...proof, headers: { ...proof.headers, 'x-amz-security-token': 't'.repeat(5000) } })).toBe(
      'runner_proof_malformed',
    );
  });
});

describe("STS's answer to a runner proof", () => {
  const expectedRoleArn = 'arn:aws:iam::111111111111:role/i9-acme-prod-runner';

  it('accepts only a session of the expected role in the expected account', () => {
    const session = 'arn:aws:sts::111111111111:assumed-role/i9-acme-prod-runner/i-0abc';
    expect(checkRunnerArn(session, expectedRoleArn)).toBe(session);
    const refused = (arn: string) => refusalOf(() => checkRunnerArn(arn, expectedRoleArn));
    expect(refused('arn:aws:sts::111111111111:assumed-role/admin/i-0abc')).toBe('runner_wrong_role');
    expect(refused('arn:aws:sts::222222222222:assumed-role/i9-acme-prod-runner/i-0abc')).toBe('runner_wrong_account');
    expect(refused('arn:aws:iam::111111111111:user/i9-acme-prod-runner')).toBe('runner_wrong_role');
    expect(refused('arn:aws:iam::222222222222:root')).toBe('runner_wrong_account');
    expect(refused('arn:aws-cn:sts::111111111111:assumed-role/i9-acme-prod-runner/i-0abc')).toBe(
      'runner_wrong_account',
    );
  });

  it("reads STS's XML and maps its refusals to ours", () => {
    expect(
      readStsAnswer(
        200,
        '<GetCallerIdentityResult><Arn>arn:aws:sts::1:assumed-role/r/s</Arn></GetCallerIdentityResult>',
      ),
    ).toEqual({ arn: 'arn:aws:sts::1:assumed-role/r/s' });
    const error = (code: string, message: string) => {
      const answer = readStsAnswer(403, `<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
      if (!('errorCode' in answer)) throw new Error('an error document read as an answer');
      return refusalOfStsError(answer).code;
    };
    expect(error('SignatureDoesNotMatch', 'The request signature we calculated does not match')).toBe(
      'runner_proof_signature_invalid',
    );
    expect(error('SignatureDoesNotMatch', 'Signature expired: 20261201T000000Z is now earlier than …')).toBe(
      'runner_proof_expired',
    );
    expect(error('IncompleteSignature', 'Authorization header requires X-Amz-Date')).toBe(
      'runner_proof_signature_invalid',
    );
    expect(error('InvalidClientTokenId', 'The security token included in the request is invalid.')).toBe(
      'runner_proof_credentials_invalid',
    );
    expect(error('Throttling', 'Rate exceeded')).toBe('runner_proof_unverifiable');
  });
});
