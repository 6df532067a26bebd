import {
  awsStsEndpoint,
  checkProofRequest,
  checkRunnerArn,
  readStsAnswer,
  refusalOfStsError,
  RunnerProofRefused,
  type RunnerIdentityProof,
} from '../../domain/runner-identity';

/** How the API reaches STS to check runner proofs. */
export interface RunnerAttestationOptions {
  /** STS's endpoint for a region: AWS's regional endpoint unless configured (AWS_ENDPOINT_URL_STS, the local stack). */
  stsEndpoint?: (region: string) => string;
  /** How long STS may take to answer; 5 s by default. */
  timeoutMs?: number;
}

/** STS's answer is a few hundred bytes; anything longer is not STS. */
const maxAnswerBytes = 16_384;

async function readBounded(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxAnswerBytes) {
      await reader.cancel();
      throw new RunnerProofRefused('runner_proof_unverifiable', 'STS answered more than expected.');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Checks a runner's identity proof: its shape here, then its signature and caller by STS, which the API asks itself
 * at the configured endpoint (never following a redirect). Returns the runner's session ARN, or throws
 * RunnerProofRefused.
 */
export async function attestRunner(
  proof: RunnerIdentityProof | undefined,
  install: { installId: string; region: string; expectedRoleArn: string },
  options: RunnerAttestationOptions = {},
): Promise<string> {
  const stsEndpoint = (options.stsEndpoint ?? awsStsEndpoint)(install.region);
  const request = checkProofRequest(proof, { stsEndpoint, installId: install.installId, now: Date.now() });
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
  } catch (error) {
    throw new RunnerProofRefused('runner_proof_unverifiable', `STS did not answer: ${(error as Error).message}`);
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new RunnerProofRefused('runner_proof_unverifiable', `STS answered a redirect (${response.status}).`);
  }
  const answer = readStsAnswer(response.status, await readBounded(response));
  if ('errorCode' in answer) throw refusalOfStsError(answer);
  return checkRunnerArn(answer.arn, install.expectedRoleArn);
}
