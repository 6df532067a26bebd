import type { FastifyInstance } from 'fastify';
import { deriveRunnerToken, sha256Hex } from '../../../security/runner-token';
import { secretsEqual } from '../auth';
import { Problem } from '../problems';
import { installIdParam, roleArnBody, runnerCheckInBody } from '../schemas';
import { installLinks, type ApiOptions } from '../context';

const defaultVerificationWaitSeconds = 20;

export function registerRoleAndRunnerRoutes(app: FastifyInstance, options: ApiOptions): void {
  app.post<{ Params: { installId: string }; Body: { roleArn: string; waitSeconds?: number } }>(
    '/installs/:installId/role-arn',
    {
      schema: {
        summary: 'The customer pastes the role ARN; answers with the verification outcome',
        params: installIdParam,
        body: roleArnBody,
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

  app.get<{ Params: { installId: string } }>(
    '/installs/:installId/runner/registration',
    { schema: { summary: 'The one-time token to hand to the runner (vendor only)', params: installIdParam } },
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

  app.post<{ Params: { installId: string }; Body: { registrationId: string; token: string; runnerId: string } }>(
    '/installs/:installId/runner/check-in',
    {
      schema: {
        summary: 'The runner in the customer account reports in with its registration token',
        params: installIdParam,
        body: runnerCheckInBody,
        security: [],
      },
    },
    async (request) => {
      const { installId } = request.params;
      const { registrationId, token, runnerId } = request.body;
      const expected = deriveRunnerToken(options.runnerTokenKey, installId, registrationId);
      if (!secretsEqual(token, expected))
        throw new Problem('invalidRunnerToken', 'The registration token is not valid for this install.');
      const phase = await options.installs.checkInRunner(installId, {
        registrationId,
        tokenSha256: sha256Hex(token),
        runnerId,
      });
      return { accepted: true, phase };
    },
  );
}
