import { deriveRunnerToken, sha256Hex } from '../security/runner-token';
import type { ActivityDeps } from './deps';

export interface RunnerRegistration {
  registrationId: string;
  tokenSha256: string;
  expectedIdentity: string;
  expiresAt: string;
}

export function createRunnerActivities(deps: ActivityDeps) {
  return {
    /**
     * Issues a one-time registration for the runner in the customer account. The token is derived from the
     * registration id with the server key and returned only as its hash, so history never holds it in clear.
     */
    async issueRunnerRegistration(input: {
      installId: string;
      awsAccountId: string;
      validForMs: number;
    }): Promise<RunnerRegistration> {
      const registrationId = Buffer.from(deps.randomBytes(16)).toString('hex');
      const token = deriveRunnerToken(deps.runnerTokenKey, input.installId, registrationId);
      return {
        registrationId,
        tokenSha256: sha256Hex(token),
        expectedIdentity: `runner for install ${input.installId} in account ${input.awsAccountId}`,
        expiresAt: new Date(Date.now() + input.validForMs).toISOString(),
      };
    },
  };
}
