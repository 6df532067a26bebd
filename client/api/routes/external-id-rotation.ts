import type { FastifyInstance } from 'fastify';
import { durationPattern } from '../../../domain/durations';
import { checkRotationRequest, rotationBounds } from '../../../domain/external-id-rotation';
import { answers, bodyProblems, installRouteProblems, linksTo, vendorAuthProblems } from '../contract';
import { Problem } from '../problems';
import type { ExternalIdRotationAnswer } from '../responses';
import { installIdParam } from '../schemas';
import { installLinks, type ApiOptions } from '../context';

const rotationDuration = (field: keyof typeof rotationBounds, what: string) =>
  ({
    type: 'string',
    pattern: durationPattern,
    maxLength: 40,
    description: `${what}: between ${rotationBounds[field].min} and ${rotationBounds[field].max} in production (default ${rotationBounds[field].default}).`,
  }) as const;

export const rotateExternalIdBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  examples: [{ expiresAfter: '48 hours' }],
  properties: {
    expiresAfter: rotationDuration('expiresAfter', 'How long the customer has to let the role accept the new ID'),
    pollEvery: rotationDuration('pollEvery', 'How often the install tries the ID it waits on'),
  },
} as const;

export function registerExternalIdRotationRoutes(app: FastifyInstance, options: ApiOptions): void {
  app.post<{
    Params: { installId: string };
    Body: { expiresAfter?: string; pollEvery?: string } | null;
    Reply: ExternalIdRotationAnswer;
  }>(
    '/installs/:installId/external-id/rotate',
    {
      schema: {
        operationId: 'rotateExternalId',
        summary: 'Issue a new External ID; the install switches to it once the customer updates the role',
        description:
          'Answers once the new ID exists (step `awaiting_trust_update`): the onboarding kit then renders a trust ' +
          'policy accepting both IDs. The install keeps using the old ID until AWS accepts the new one, then asks ' +
          'for the old one to be dropped and checks that it is refused. An unused new ID expires (default 48 hours). ' +
          'A 409 external-id-rotation-pending while another rotation is under way.',
        params: installIdParam,
        body: rotateExternalIdBody,
        response: answers({ 202: { schema: 'ExternalIdRotationAnswer' } }, [
          ...installRouteProblems,
          ...bodyProblems,
          ...vendorAuthProblems,
          'wrongPhase',
          'externalIdRotationPending',
        ]),
      },
      links: { 202: linksTo(['getInstall', 'getOnboardingKit'], '$request.path.installId') },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const outOfBounds = checkRotationRequest(body, options.durationFloor ?? 'production');
      if (outOfBounds.length > 0) {
        throw new Problem('invalidRequest', `${outOfBounds[0]!.path} ${outOfBounds[0]!.message}.`, {
          errors: outOfBounds,
        });
      }
      const { installId } = request.params;
      const rotation = await options.installs.rotateExternalId(installId, {
        ...body,
        requestedBy: request.caller.keyId,
      });
      return reply.code(202).send({ externalIdRotation: rotation, links: installLinks(options, installId) });
    },
  );
}
