import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { checkInstallBounds } from '../../../domain/durations';
import type { InstallInput } from '../../../workflows/definitions';
import { servesOrg } from '../api-keys';
import { Problem } from '../problems';
import { approvalBody, deprovisionBody, installIdParam, listQuery, startInstallBody } from '../schemas';
import { installLinks, type ApiOptions } from '../context';

type StartBody = Omit<InstallInput, 'installId' | 'carriedOver'> & { installId?: string };

export function registerInstallRoutes(app: FastifyInstance, options: ApiOptions): void {
  app.post<{ Body: StartBody }>(
    '/installs',
    { schema: { summary: 'Start an install (idempotent on installId)', body: startInstallBody } },
    async (request, reply) => {
      if (!servesOrg(request.caller, request.body.orgId)) {
        throw new Problem('forbidden', `API key ${request.caller.keyId} does not serve org ${request.body.orgId}.`);
      }
      const outOfBounds = checkInstallBounds(request.body, options.durationFloor ?? 'production');
      if (outOfBounds.length > 0) {
        throw new Problem('invalidRequest', `${outOfBounds[0]!.path} ${outOfBounds[0]!.message}.`, {
          errors: outOfBounds,
        });
      }
      const installId = request.body.installId ?? `inst-${randomUUID().slice(0, 18)}`;
      const { created, status } = await options.installs.start({ ...request.body, installId });
      const links = installLinks(options, installId);
      return reply
        .code(created ? 201 : 200)
        .header('location', links.self)
        .send({ install: status, links });
    },
  );

  app.get<{ Querystring: { phase?: string; awsAccountId?: string; orgId?: string; limit?: number } }>(
    '/installs',
    {
      schema: {
        summary: 'List installs, filtered by phase, account or org (Temporal visibility)',
        querystring: listQuery,
      },
    },
    async (request) => {
      const { limit, ...filter } = request.query;
      const { orgs } = request.caller;
      return { installs: await options.installs.list({ ...filter, ...(orgs === '*' ? {} : { orgIds: orgs }) }, limit) };
    },
  );

  app.get<{ Params: { installId: string } }>(
    '/installs/:installId',
    { schema: { summary: 'The install status', params: installIdParam } },
    async (request) => ({
      install: await options.installs.status(request.params.installId),
      links: installLinks(options, request.params.installId),
    }),
  );

  app.post<{ Params: { installId: string }; Body: { approve: boolean; by?: string; reason?: string } }>(
    '/installs/:installId/approval',
    {
      schema: {
        summary: 'Approve or reject the plan of an install awaiting approval',
        params: installIdParam,
        body: approvalBody,
      },
    },
    async (request) => {
      const { approve, by, reason } = request.body;
      // The record names the key that decided; the body's `by` is kept beside it as what the caller claims.
      const decision = { approve, by: request.caller.keyId, ...(by ? { onBehalfOf: by } : {}), reason };
      return {
        phase: await options.installs.decideApproval(request.params.installId, decision),
        links: installLinks(options, request.params.installId),
      };
    },
  );

  app.post<{ Params: { installId: string }; Body: { reason?: string } | null }>(
    '/installs/:installId/deprovision',
    { schema: { summary: 'Remove everything the install created', params: installIdParam, body: deprovisionBody } },
    async (request, reply) => {
      const phase = await options.installs.requestDeprovision(request.params.installId, {
        reason: request.body?.reason,
        requestedBy: request.caller.keyId,
      });
      return reply.code(202).send({ accepted: true, phase, links: installLinks(options, request.params.installId) });
    },
  );
}
