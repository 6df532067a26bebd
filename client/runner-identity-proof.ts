import { GetCallerIdentityCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { runnerProofServerIdHeader, type RunnerIdentityProof } from '../domain/runner-identity';

/** Thrown by the capturing middleware to stop the SDK once the request is signed: the proof is never sent. */
class ProofCaptured extends Error {
  constructor(readonly proof: RunnerIdentityProof) {
    super('captured');
    this.name = 'ProofCaptured';
  }
}

interface SignedHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

/**
 * The runner's identity proof for its check-in: an sts:GetCallerIdentity request signed with the runner's own
 * credentials (the SDK's default chain unless `config.credentials` says), over the X-Orchestrator-Server-ID header
 * naming the install, and not sent. The API sends it to STS within 5 minutes of signing.
 *
 * @example
 * const identityProof = await buildRunnerIdentityProof('acme-prod', { region: 'us-east-1' });
 * await fetch(`${api}/installs/acme-prod/runner/check-in`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ registrationId, token, runnerId: 'runner-1', identityProof }),
 * });
 */
export async function buildRunnerIdentityProof(
  installId: string,
  config: STSClientConfig,
): Promise<RunnerIdentityProof> {
  const sts = new STSClient({ ...config, maxAttempts: 1 });
  sts.middlewareStack.add(
    (next) => (args) => {
      (args.request as SignedHttpRequest).headers[runnerProofServerIdHeader] = installId;
      return next(args);
    },
    { step: 'build', name: 'runnerProofServerId' },
  );
  sts.middlewareStack.addRelativeTo(
    () => (args: { request: unknown }) => {
      const request = args.request as SignedHttpRequest;
      const port = request.port ? `:${request.port}` : '';
      throw new ProofCaptured({
        method: request.method,
        url: `${request.protocol}//${request.hostname}${port}${request.path}`,
        body: typeof request.body === 'string' ? request.body : '',
        headers: { ...request.headers },
      });
    },
    { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'runnerProofCapture' },
  );
  try {
    await sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    if (error instanceof ProofCaptured) return error.proof;
    throw error;
  } finally {
    sts.destroy();
  }
  throw new Error('The STS client sent GetCallerIdentity instead of handing over the signed request.');
}
