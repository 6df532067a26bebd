import type { FastifyInstance } from 'fastify';
import { renderOnboardingArtifacts } from '../../../domain/onboarding-artifacts';
import { renderOnboardingKit } from '../../../domain/onboarding-kit';
import type { InstallStatus } from '../../../workflows/definitions';
import { Problem } from '../problems';
import { installIdParam } from '../schemas';
import type { ApiOptions } from '../server';

function artifactsOf(status: InstallStatus) {
  if (!status.onboarding) throw new Problem('notReady', 'The External ID is still being created; retry in a moment.');
  return renderOnboardingArtifacts({ install: status, ...status.onboarding });
}

export function registerOnboardingRoutes(app: FastifyInstance, options: ApiOptions): void {
  app.get<{ Params: { installId: string } }>(
    '/installs/:installId/onboarding',
    { schema: { summary: 'What the customer needs to create the role', params: installIdParam } },
    async (request) => {
      const artifacts = artifactsOf(await options.installs.onboardedStatus(request.params.installId));
      const base = `/installs/${request.params.installId}/onboarding`;
      return {
        ...artifacts,
        files: renderOnboardingKit(artifacts).map((file) => ({ name: file.name, url: `${base}/${file.name}` })),
      };
    },
  );

  app.get<{ Params: { installId: string; file: string } }>(
    '/installs/:installId/onboarding/:file',
    {
      schema: {
        summary: 'One onboarding file, as a download',
        params: {
          ...installIdParam,
          required: ['installId', 'file'],
          properties: { ...installIdParam.properties, file: { type: 'string', pattern: '^[a-z0-9.-]{1,64}$' } },
        },
      },
    },
    async (request, reply) => {
      const artifacts = artifactsOf(await options.installs.onboardedStatus(request.params.installId));
      const file = renderOnboardingKit(artifacts).find((candidate) => candidate.name === request.params.file);
      if (!file) throw new Problem('notFound', `No onboarding file ${request.params.file}.`);
      return reply
        .type(file.contentType)
        .header('content-disposition', `attachment; filename="${file.name}"`)
        .send(file.body);
    },
  );
}
