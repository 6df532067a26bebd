import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { checkInstallBounds } from '../../../domain/durations';
import { permissionsBoundaryProblem } from '../../../domain/permissions-boundary';
import type { InstallInput } from '../../../workflows/definitions';
import { servesOrg } from '../api-keys';
import { answers, bodyProblems, installRouteProblems, linksTo, vendorAuthProblems } from '../contract';
import { installEnvelopeExample } from '../examples';
import { Problem } from '../problems';
import type { ApprovalAnswer, DeprovisionAccepted, InstallEnvelope, InstallPage } from '../responses';
import { approvalBody, deprovisionBody, installIdParam, listQuery, startInstallBody } from '../schemas';
import { installLinks, type ApiOptions } from '../context';

type StartBody = Omit<InstallInput, 'installId' | 'carriedOver'> & { installId?: string };

const location = { location: { type: 'string', description: 'The install: GET it for its status.' } };
const fromStart = '$response.body#/install/installId';
const fromPath = '$request.path.installId';

export function registerInstallRoutes(app: FastifyInstance, options: ApiOptions): void {
  app.post<{ Body: StartBody; Reply: InstallEnvelope }>(
    '/installs',
    {
      schema: {
        operationId: 'startInstall',
        summary: 'Start an install (idempotent on installId)',
        description:
          'Answers once the onboarding kit exists (External ID, role template): 201 when this request started the ' +
          'install, 200 when an install with this id and the same org, account and region already existed.',
        body: startInstallBody,
        response: answers(
          {
            201: { schema: 'InstallEnvelope', headers: location, example: installEnvelopeExample },
            200: {
              schema: 'InstallEnvelope',
              description: 'The install with this id already existed; nothing new was started.',
              headers: location,
            },
          },
          [...bodyProblems, ...vendorAuthProblems, 'forbidden', 'installIdTaken', 'temporalUnavailable'],
        ),
      },
      links: {
        201: linksTo(
          [
            'getInstall',
            'getOnboardingKit',
            'restartOnboarding',
            'submitRoleArn',
            'decideApproval',
            'deprovisionInstall',
          ],
          fromStart,
        ),
        200: linksTo(['getInstall', 'getOnboardingKit'], fromStart),
      },
    },
    async (request, reply) => {
      if (!servesOrg(request.caller, request.body.orgId)) {
        throw new Problem('forbidden', `API key ${request.caller.keyId} does not serve org ${request.body.orgId}.`);
      }
      const boundary = request.body.permissionsBoundary;
      const boundaryProblem = boundary !== undefined ? permissionsBoundaryProblem(boundary, request.body) : undefined;
      if (boundaryProblem) {
        throw new Problem('invalidRequest', boundaryProblem, {
          errors: [{ path: '/permissionsBoundary', message: boundaryProblem }],
        });
      }
      const outOfBounds = checkInstallBounds(request.body, options.durationFloor ?? 'production');
      if (outOfBounds.length > 0) {
        throw new Problem('invalidRequest', `${outOfBounds[0]!.path} ${outOfBounds[0]!.message}.`, {
          errors: outOfBounds,
        });
      }
      if (request.body.trust === 'oidc' && !options.oidcIssuer) {
        throw new Problem('invalidRequest', 'trust oidc needs an OIDC issuer (OIDC_ISSUER_URL) on this deployment.');
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

  app.get<{
    Querystring: { phase?: string; awsAccountId?: string; orgId?: string; limit?: number };
    Reply: InstallPage;
  }>(
    '/installs',
    {
      schema: {
        operationId: 'listInstalls',
        summary: 'List installs, filtered by phase, account or org (Temporal visibility)',
        querystring: listQuery,
        response: answers({ 200: { schema: 'InstallPage' } }, [
          'invalidRequest',
          ...vendorAuthProblems,
          'temporalUnavailable',
        ]),
      },
    },
    async (request) => {
      const { limit, ...filter } = request.query;
      const { orgs } = request.caller;
      return { installs: await options.installs.list({ ...filter, ...(orgs === '*' ? {} : { orgIds: orgs }) }, limit) };
    },
  );

  app.get<{ Params: { installId: string }; Reply: InstallEnvelope }>(
    '/installs/:installId',
    {
      schema: {
        operationId: 'getInstall',
        summary: 'The install status',
        params: installIdParam,
        response: answers({ 200: { schema: 'InstallEnvelope', example: installEnvelopeExample } }, [
          ...installRouteProblems,
          ...vendorAuthProblems,
        ]),
      },
    },
    async (request) => ({
      install: await options.installs.status(request.params.installId),
      links: installLinks(options, request.params.installId),
    }),
  );

  app.post<{
    Params: { installId: string };
    Body: { approve: boolean; by?: string; reason?: string };
    Reply: ApprovalAnswer;
  }>(
    '/installs/:installId/approval',
    {
      schema: {
        operationId: 'decideApproval',
        summary: 'Approve or reject the plan of an install awaiting approval',
        params: installIdParam,
        body: approvalBody,
        response: answers({ 200: { schema: 'ApprovalAnswer' } }, [
          ...installRouteProblems,
          ...bodyProblems,
          ...vendorAuthProblems,
          'wrongPhase',
        ]),
      },
      links: { 200: linksTo(['getInstall', 'deprovisionInstall'], fromPath) },
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

  app.post<{ Params: { installId: string }; Body: { reason?: string } | null; Reply: DeprovisionAccepted }>(
    '/installs/:installId/deprovision',
    {
      schema: {
        operationId: 'deprovisionInstall',
        summary: 'Remove everything the install created',
        params: installIdParam,
        body: deprovisionBody,
        response: answers({ 202: { schema: 'DeprovisionAccepted' } }, [
          ...installRouteProblems,
          ...bodyProblems,
          ...vendorAuthProblems,
          'wrongPhase',
        ]),
      },
      links: { 202: linksTo(['getInstall'], fromPath) },
    },
    async (request, reply) => {
      const phase = await options.installs.requestDeprovision(request.params.installId, {
        reason: request.body?.reason,
        requestedBy: request.caller.keyId,
      });
      return reply.code(202).send({ accepted: true, phase, links: installLinks(options, request.params.installId) });
    },
  );
}
