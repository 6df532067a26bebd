import type { FastifyInstance } from 'fastify';
import { deriveRunnerToken, sha256Hex } from '../../../security/runner-token';
import { secretsEqual } from '../auth';
import { answers, bodyProblems, installRouteProblems, linksTo, vendorAuthProblems } from '../contract';
import { runnerRegistrationExample, verificationFailedExample } from '../examples';
import { Problem, type ProblemKind } from '../problems';
import type { Accepted, RunnerCheckInAnswer, RunnerRegistration, VerificationAnswer } from '../responses';
import { installIdParam, roleArnBody, runnerCheckInBody } from '../schemas';
import { installLinks, type ApiOptions } from '../context';
import { explainError } from '../../../domain/error-catalog';
import { installResourceNames, sandboxNamingOf } from '../../../domain/install-names';
import {
  RunnerProofRefused,
  runnerRoleArn,
  type RunnerIdentityProof,
  type RunnerProofRefusal,
} from '../../../domain/runner-identity';
import { attestRunner } from '../runner-attestation';

const defaultVerificationWaitSeconds = 20;

const refusalProblems: Record<RunnerProofRefusal, ProblemKind> = {
  runner_proof_missing: 'runnerProofMissing',
  runner_proof_malformed: 'runnerProofMalformed',
  runner_proof_wrong_endpoint: 'runnerProofWrongEndpoint',
  runner_proof_wrong_server: 'runnerProofWrongServer',
  runner_proof_expired: 'runnerProofExpired',
  runner_proof_signature_invalid: 'runnerProofSignatureInvalid',
  runner_proof_credentials_invalid: 'runnerProofCredentialsInvalid',
  runner_proof_unverifiable: 'runnerProofUnverifiable',
  runner_wrong_account: 'runnerWrongAccount',
  runner_wrong_role: 'runnerWrongRole',
};

/** The runner's session ARN, once STS has vouched for it; a refusal is the problem its catalog entry explains. */
async function attestCheckIn(
  options: ApiOptions,
  installId: string,
  registrationId: string,
  proof: RunnerIdentityProof | undefined,
): Promise<string> {
  const status = await options.installs.status(installId);
  // STS is asked only for a check-in the install could take; the install's own validator still decides it.
  if (status.phase !== 'handing_off' || !status.runner) {
    throw new Problem('wrongPhase', `No runner check-in is expected while ${status.phase}.`, { phase: status.phase });
  }
  if (status.runner.checkedInAt) {
    throw new Problem('wrongPhase', 'This registration was already used.', { reason: 'RegistrationUsed' });
  }
  if (status.runner.registrationId !== registrationId) {
    throw new Problem('invalidRunnerToken', 'The registration token is not valid for this install.');
  }
  const names = installResourceNames({
    installId,
    awsAccountId: status.awsAccountId,
    region: status.region,
    sandboxNaming: sandboxNamingOf(status),
  });
  try {
    return await attestRunner(
      proof,
      { installId, region: status.region, expectedRoleArn: runnerRoleArn(names) },
      options.runnerAttestation,
    );
  } catch (error) {
    if (!(error instanceof RunnerProofRefused)) throw error;
    const { code, cause, fix } = explainError({ code: error.code, message: error.message });
    throw new Problem(refusalProblems[error.code], error.message, { code, cause, fix });
  }
}

export function registerRoleAndRunnerRoutes(app: FastifyInstance, options: ApiOptions): void {
  app.post<{
    Params: { installId: string };
    Body: { roleArn: string; waitSeconds?: number };
    Reply: VerificationAnswer | Accepted;
  }>(
    '/installs/:installId/role-arn',
    {
      schema: {
        operationId: 'submitRoleArn',
        summary: 'The customer pastes the role ARN; answers with the verification outcome',
        description:
          'A role that fails verification is a 200 with `verified: false` and the error (code, cause, fix); the ' +
          "install waits for another ARN. An ARN that cannot be this install's role is a 400 invalid-role-arn.",
        params: installIdParam,
        body: roleArnBody,
        response: answers(
          {
            200: { schema: 'VerificationAnswer', example: verificationFailedExample },
            202: {
              schema: 'Accepted',
              description: 'Verification is still running after waitSeconds: follow the install.',
              headers: { location: { type: 'string' } },
            },
          },
          [...installRouteProblems, ...bodyProblems, ...vendorAuthProblems, 'invalidRoleArn', 'wrongPhase'],
        ),
      },
      links: {
        200: linksTo(['getInstall', 'getRunnerRegistration', 'deprovisionInstall'], '$request.path.installId'),
        202: linksTo(['getInstall', 'getRunnerRegistration'], '$request.path.installId'),
      },
    },
    async (request, reply) => {
      const { installId } = request.params;
      // The workflow's validator decides (ARN, phase); a rejection costs no history and comes back as a problem.
      const waitMs = (request.body.waitSeconds ?? defaultVerificationWaitSeconds) * 1000;
      const outcome = await options.installs.submitRoleArn(installId, { roleArn: request.body.roleArn }, waitMs);
      const links = installLinks(options, installId);
      if (!outcome) return reply.code(202).header('location', links.self).send({ accepted: true, links });
      return { ...outcome, links };
    },
  );

  app.get<{ Params: { installId: string }; Reply: RunnerRegistration }>(
    '/installs/:installId/runner/registration',
    {
      schema: {
        operationId: 'getRunnerRegistration',
        summary: 'The one-time token to hand to the runner (vendor only)',
        params: installIdParam,
        response: answers({ 200: { schema: 'RunnerRegistration', example: runnerRegistrationExample } }, [
          ...installRouteProblems,
          ...vendorAuthProblems,
          'wrongPhase',
        ]),
      },
      links: {
        200: {
          runnerCheckIn: {
            operationId: 'runnerCheckIn',
            parameters: { installId: '$request.path.installId' },
            requestBody: {
              registrationId: '$response.body#/registrationId',
              token: '$response.body#/token',
              runnerId: 'runner-1',
            },
          },
        },
      },
    },
    async (request) => {
      const { installId } = request.params;
      const { runner, phase } = await options.installs.status(installId);
      if (!runner || runner.checkedInAt) {
        throw new Problem('wrongPhase', `No runner registration is open while ${phase}.`, { phase });
      }
      return {
        registrationId: runner.registrationId,
        token: deriveRunnerToken(options.runnerTokenKey, installId, runner.registrationId),
        expiresAt: runner.expiresAt,
      };
    },
  );

  app.post<{
    Params: { installId: string };
    Body: { registrationId: string; token: string; runnerId: string; identityProof?: RunnerIdentityProof };
    Reply: RunnerCheckInAnswer;
  }>(
    '/installs/:installId/runner/check-in',
    {
      schema: {
        operationId: 'runnerCheckIn',
        summary: 'The runner in the customer account reports in with its registration token and identity proof',
        description:
          'No API key: the runner proves itself with the one-time `token` in the body, from GET ' +
          '/installs/{installId}/runner/registration, and who it is with `identityProof`, a signed ' +
          "sts:GetCallerIdentity request the API sends to STS: only a session of the install's runner role in the " +
          'customer account is accepted. Requests are rate-limited per client address.',
        params: installIdParam,
        body: runnerCheckInBody,
        security: [],
        response: answers({ 200: { schema: 'RunnerCheckInAnswer' } }, [
          ...installRouteProblems,
          ...bodyProblems,
          'invalidRunnerToken',
          'tooManyRequests',
          'wrongPhase',
          ...(Object.values(refusalProblems) as ProblemKind[]),
        ]),
      },
      links: { 200: linksTo(['getInstall', 'deprovisionInstall'], '$request.path.installId') },
    },
    async (request) => {
      const { installId } = request.params;
      const { registrationId, token, runnerId, identityProof } = request.body;
      const expected = deriveRunnerToken(options.runnerTokenKey, installId, registrationId);
      if (!secretsEqual(token, expected))
        throw new Problem('invalidRunnerToken', 'The registration token is not valid for this install.');
      // Only the session ARN STS answered goes on to the install: the proof's signature and session token do not.
      const verifiedIdentity = await attestCheckIn(options, installId, registrationId, identityProof);
      const phase = await options.installs.checkInRunner(installId, {
        registrationId,
        tokenSha256: sha256Hex(token),
        runnerId,
        verifiedIdentity,
      });
      return { accepted: true, phase };
    },
  );
}
