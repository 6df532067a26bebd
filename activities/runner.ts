import { deriveRunnerToken, sha256Hex } from '../security/runner-token';
import type { ActivityDeps } from './deps';

/** Only what the worker alone can make: the install derives the runner's identity and sets the expiry on its clock. */
export interface RunnerRegistration {
  registrationId: string;
  tokenSha256: string;
}

export function createRunnerActivities(deps: ActivityDeps) {
  return {
    /**
     * Issues a one-time registration for the runner in the customer account. The token is derived from the
     * registration id with the server key and returned only as its hash, so history never holds it in clear.
     */
    async issueRunnerRegistration(input: { installId: string }): Promise<RunnerRegistration> {
      const registrationId = Buffer.from(deps.randomBytes(16)).toString('hex');
      const token = deriveRunnerToken(deps.runnerTokenKey, input.installId, registrationId);
      return { registrationId, tokenSha256: sha256Hex(token) };
    },
  };
}
