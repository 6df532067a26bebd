import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseDuration } from '../../../domain/durations';
import {
  organizationInstallBounds,
  renderManagementCli,
  renderManagementStackCli,
  renderManagementRoleTemplate,
  renderMemberRoleTemplate,
} from '../../../domain/organization-install';
import type { OrganizationInstallInput } from '../../../workflows/definitions';
import { InstallNotFoundError } from '../../install-service';
import type { OrganizationInstallService } from '../../organization-install-service';
import { servesOrg } from '../api-keys';
import { answers, bodyProblems, callbackProblems, installRouteProblems, vendorAuthProblems } from '../contract';
import type { ApiOptions } from '../context';
import { Problem } from '../problems';
import type {
  ManagementRoleAnswer,
  OrganizationCallbackAccepted,
  OrganizationDeprovisionAccepted,
  OrganizationInstallEnvelope,
  OrganizationInstallKit,
  OrganizationInstallLinks,
  OrganizationInstallView,
} from '../responses';
import {
  deprovisionBody,
  managementRoleArnBody,
  onboardingCallbackBody,
  organizationInstallIdParam,
  startOrganizationInstallBody,
} from '../schemas';
import type { OrganizationInstallStatus } from '../../../workflows/definitions';
import {
  callbackIdOfToken,
  deriveCallbackToken,
  organizationCallbackSubject,
} from '../../../security/onboarding-callback-token';
import { bearerToken } from '../auth';
import { describeCallback } from './onboarding';
import { publicBaseUrl } from '../customer-page/link';

type StartBody = Omit<OrganizationInstallInput, 'organizationInstallId' | 'carriedOver' | 'memberSettings'> & {
  organizationInstallId?: string;
};
type Params = { organizationInstallId: string };

const base = '/organization-installs';

export function organizationInstallLinks(id: string): OrganizationInstallLinks {
  const self = `${base}/${id}`;
  return {
    self,
    kit: `${self}/kit`,
    roleArn: `${self}/role-arn`,
    resync: `${self}/resync`,
    deprovision: `${self}/deprovision`,
  };
}

/** The status as the API answers it: the callback's id (from which its token is made) stays inside. */
function organizationInstallView(status: OrganizationInstallStatus): OrganizationInstallView {
  const callback = status.onboarding?.callback;
  return callback ? { ...status, onboarding: { ...status.onboarding!, callback: describeCallback(callback) } } : status;
}

// Durations the body may set, with their bounds in milliseconds (the workflow clamps to the same).
const durationBounds: Record<'resyncInterval' | 'memberPollInterval' | 'roleSubmissionTimeout', [number, number]> = {
  resyncInterval: [organizationInstallBounds.resyncInterval.minMs, organizationInstallBounds.resyncInterval.maxMs],
  memberPollInterval: [1_000, 3_600_000],
  roleSubmissionTimeout: [60_000, 30 * 24 * 3_600_000],
};

/**
 * Organization installs: one AWS Organization's management role, the StackSet of the member role and one install per
 * member account (workflows/organization-install.ts). Scoped to the caller's orgs as /installs is; another org's
 * organization install answers as a missing one.
 */
export function registerOrganizationInstallRoutes(app: FastifyInstance, options: ApiOptions): void {
  const service = (): OrganizationInstallService => {
    if (!options.organizationInstalls) throw new Problem('notFound', 'This API does not serve organization installs.');
    return options.organizationInstalls;
  };
  const owned = async (request: FastifyRequest<{ Params: Params }>) => {
    const id = request.params.organizationInstallId;
    const orgId = await service().orgOf(id);
    if (orgId === undefined || !servesOrg(request.caller, orgId)) throw new InstallNotFoundError(id);
    return id;
  };
  const schemaOf = (operationId: string, summary: string, extra: Record<string, unknown>) => ({
    schema: { operationId, summary, tags: ['organization installs'], params: organizationInstallIdParam, ...extra },
  });

  app.post<{ Body: StartBody; Reply: OrganizationInstallEnvelope }>(
    base,
    {
      schema: {
        operationId: 'startOrganizationInstall',
        summary: 'Start an organization install (idempotent on organizationInstallId)',
        tags: ['organization installs'],
        description:
          'Answers once the External ID exists: 201 when this request started it, 200 when one with this id, org ' +
          'and management account already existed. Then GET its kit for the management role.',
        body: startOrganizationInstallBody,
        response: answers(
          {
            201: { schema: 'OrganizationInstallEnvelope' },
            200: { schema: 'OrganizationInstallEnvelope', description: 'It already existed; nothing new started.' },
          },
          [...bodyProblems, ...vendorAuthProblems, 'forbidden', 'installIdTaken', 'notFound', 'temporalUnavailable'],
        ),
      },
    },
    async (request, reply) => {
      if (!servesOrg(request.caller, request.body.orgId)) {
        throw new Problem('forbidden', `API key ${request.caller.keyId} does not serve org ${request.body.orgId}.`);
      }
      for (const [field, [min, max]] of Object.entries(durationBounds)) {
        const value = request.body[field as keyof typeof durationBounds];
        if (value === undefined) continue;
        const ms = parseDuration(value);
        if (ms === undefined || ms < min || ms > max) {
          throw new Problem('invalidRequest', `/${field} must be a duration from ${min} ms to ${max} ms.`, {
            errors: [{ path: `/${field}`, message: `must be from ${min} ms to ${max} ms` }],
          });
        }
      }
      const id = request.body.organizationInstallId ?? `org-${randomUUID().slice(0, 18)}`;
      const { created, status } = await service().start({ ...request.body, organizationInstallId: id });
      const links = organizationInstallLinks(id);
      return reply
        .code(created ? 201 : 200)
        .header('location', links.self)
        .send({ organizationInstall: organizationInstallView(status), links });
    },
  );

  app.get<{ Params: Params; Reply: OrganizationInstallEnvelope }>(
    `${base}/:organizationInstallId`,
    schemaOf('getOrganizationInstall', 'The organization install status, with a row per member account', {
      response: answers({ 200: { schema: 'OrganizationInstallEnvelope' } }, [
        ...installRouteProblems,
        ...vendorAuthProblems,
        'notFound',
      ]),
    }),
    async (request) => {
      const id = await owned(request);
      return {
        organizationInstall: organizationInstallView(await service().status(id)),
        links: organizationInstallLinks(id),
      };
    },
  );

  app.get<{ Params: Params; Reply: OrganizationInstallKit }>(
    `${base}/:organizationInstallId/kit`,
    schemaOf('getOrganizationInstallKit', 'The management role template and CLI, and the member role template', {
      response: answers({ 200: { schema: 'OrganizationInstallKit' } }, [
        ...installRouteProblems,
        ...vendorAuthProblems,
        'notFound',
        'wrongPhase',
      ]),
    }),
    async (request) => {
      const id = await owned(request);
      const status = await service().status(id);
      if (!status.onboarding) throw new Problem('wrongPhase', `The organization install is ${status.phase}.`);
      const common = {
        organizationInstallId: id,
        managementAccountId: status.managementAccountId,
        region: status.region,
        vendorPrincipalArn: status.onboarding.vendorPrincipalArn,
      };
      const stored = status.onboarding.callback;
      const open = stored && describeCallback(stored).state === 'open' ? stored : undefined;
      const callback = open && {
        state: open.state,
        expiresAt: open.expiresAt,
        url: `${publicBaseUrl(options, request)}${base}/${id}/callback`,
        token: deriveCallbackToken(options.runnerTokenKey, organizationCallbackSubject(id), open.callbackId),
      };
      return {
        externalId: status.onboarding.externalId,
        vendorPrincipalArn: status.onboarding.vendorPrincipalArn,
        managementRoleName: status.onboarding.managementRoleName,
        managementRoleTemplate: renderManagementRoleTemplate(common),
        managementRoleCli: renderManagementCli({ ...common, externalId: status.onboarding.externalId }),
        memberRoleTemplate: renderMemberRoleTemplate(common),
        stackSetName: status.onboarding.stackSetName,
        ...(callback
          ? {
              callback,
              managementStackCli: renderManagementStackCli({
                organizationInstallId: id,
                externalId: status.onboarding.externalId,
                callbackUrl: callback.url,
                callbackToken: callback.token,
              }),
            }
          : {}),
        links: organizationInstallLinks(id),
      };
    },
  );

  app.post<{ Params: Params; Body: { roleArn: string }; Reply: ManagementRoleAnswer }>(
    `${base}/:organizationInstallId/role-arn`,
    schemaOf('submitManagementRoleArn', 'Submit the management role ARN; answers with its verification', {
      body: managementRoleArnBody,
      response: answers({ 200: { schema: 'ManagementRoleAnswer' } }, [
        ...installRouteProblems,
        ...bodyProblems,
        ...vendorAuthProblems,
        'notFound',
        'wrongPhase',
        'invalidRoleArn',
      ]),
    }),
    async (request) => {
      const id = await owned(request);
      const outcome = await service().submitManagementRoleArn(id, request.body.roleArn);
      return { ...outcome, links: organizationInstallLinks(id) };
    },
  );

  app.post<{ Params: Params; Reply: OrganizationInstallEnvelope }>(
    `${base}/:organizationInstallId/resync`,
    schemaOf('resyncOrganizationInstall', "List the OUs' accounts now; answers once the re-sync is done", {
      response: answers({ 200: { schema: 'OrganizationInstallEnvelope' } }, [
        ...installRouteProblems,
        ...vendorAuthProblems,
        'notFound',
        'wrongPhase',
      ]),
    }),
    async (request) => {
      const id = await owned(request);
      return {
        organizationInstall: organizationInstallView(await service().resync(id)),
        links: organizationInstallLinks(id),
      };
    },
  );

  app.post<{ Params: Params; Body: { roleArn: string; stackId: string }; Reply: OrganizationCallbackAccepted }>(
    `${base}/:organizationInstallId/callback`,
    {
      schema: {
        operationId: 'organizationOnboardingCallback',
        summary: "The management role's CloudFormation stack reports the role it created (Bearer: the callback token)",
        description:
          'Answered once the organization install took the ARN: verification runs after. No API key; the one-time ' +
          'callback token from the kit is the bearer credential. Requests are rate-limited per client address.',
        tags: ['organization installs'],
        params: organizationInstallIdParam,
        body: onboardingCallbackBody,
        security: [{ callbackToken: [] }],
        response: answers(
          { 202: { schema: 'OrganizationCallbackAccepted', headers: { location: { type: 'string' } } } },
          [...installRouteProblems, ...bodyProblems, 'notFound', ...callbackProblems],
        ),
      },
    },
    async (request, reply) => {
      const id = request.params.organizationInstallId;
      // The MAC is checked before Temporal is asked anything, as for an install's callback.
      const token = bearerToken(request.headers.authorization);
      const callbackId = token && callbackIdOfToken(options.runnerTokenKey, organizationCallbackSubject(id), token);
      if (!callbackId) {
        throw new Problem('invalidCallbackToken', 'Send Authorization: Bearer <the callback token from the kit>.');
      }
      await service().acceptManagementRoleCallback(id, {
        roleArn: request.body.roleArn,
        callback: { callbackId, stackId: request.body.stackId },
      });
      const links = organizationInstallLinks(id);
      return reply.code(202).header('location', links.self).send({ accepted: true, links });
    },
  );

  app.post<{ Params: Params; Body: { reason?: string } | null; Reply: OrganizationDeprovisionAccepted }>(
    `${base}/:organizationInstallId/deprovision`,
    schemaOf('deprovisionOrganizationInstall', 'Deprovision every member install, then delete the StackSet', {
      body: deprovisionBody,
      response: answers({ 202: { schema: 'OrganizationDeprovisionAccepted' } }, [
        ...installRouteProblems,
        ...bodyProblems,
        ...vendorAuthProblems,
        'notFound',
        'wrongPhase',
      ]),
    }),
    async (request, reply) => {
      const id = await owned(request);
      const phase = await service().requestDeprovision(id, {
        reason: request.body?.reason,
        requestedBy: request.caller.keyId,
      });
      return reply.code(202).send({ accepted: true, phase, links: organizationInstallLinks(id) });
    },
  );
}
