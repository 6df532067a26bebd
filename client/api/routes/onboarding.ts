import type { FastifyInstance } from 'fastify';
import { renderOnboardingArtifacts } from '../../../domain/onboarding-artifacts';
import { installResourceNames, sandboxNamingOf, suggestedRoleName } from '../../../domain/install-names';
import { ownRoleResources } from '../../../domain/permissions';
import { builtInPermissionSet, provisionPermissionsAt, type PermissionSet } from '../../../domain/permission-versions';
import { onboardingKitFileNames, renderOnboardingKit } from '../../../domain/onboarding-kit';
import { deriveCallbackToken } from '../../../security/onboarding-callback-token';
import type { InstallStatus, OnboardingCallback } from '../../../workflows/definitions';
import { answers, installRouteProblems, linksTo, vendorAuthProblems } from '../contract';
import { Problem } from '../problems';
import type { CallbackView, OnboardingKit } from '../responses';
import { installIdParam } from '../schemas';
import type { ApiOptions } from '../context';
import type { OidcIssuer } from '../../../security/oidc-issuer';
import { customerLinkFor } from '../customer-page/link';
import { permissionSetOf } from '../permission-set';

/** The artifacts as the customer should see them: with the callback filled into the link while it is open. */
export function artifactsOf(
  status: InstallStatus,
  tokenKey: Uint8Array,
  set: PermissionSet = builtInPermissionSet,
  oidcIssuer?: OidcIssuer,
) {
  if (!status.onboarding) throw new Problem('notReady', 'The External ID is still being created; retry in a moment.');
  const { callback, externalId, vendorPrincipalArn, roleTemplateUrl, nextExternalId } = status.onboarding;
  const open = callback?.state === 'open' && Date.now() < Date.parse(callback.expiresAt);
  const install = { ...status, cur: status.costReportSettings, sandboxNaming: sandboxNamingOf(status) };
  const names = installResourceNames(install);
  return renderOnboardingArtifacts({
    install,
    // The kit grants the vendor's current version: what a new install is verified against, what an upgrade applies.
    provision: provisionPermissionsAt(
      names,
      set,
      set.current,
      ownRoleResources(names, suggestedRoleName(status.installId)),
    ),
    externalId,
    vendorPrincipalArn,
    roleTemplateUrl,
    callbackToken: open ? deriveCallbackToken(tokenKey, status.installId, callback.callbackId) : undefined,
    permissionsBoundary: status.permissionsBoundary,
    ...(status.oidcSubject && oidcIssuer
      ? { oidc: { issuerUrl: oidcIssuer.issuerUrl, subject: status.oidcSubject } }
      : {}),
    // An External ID rotation waiting for the customer: the role must accept the new ID beside the one in use.
    ...(nextExternalId && status.externalIdRotation?.step === 'awaiting_trust_update'
      ? { newExternalId: nextExternalId }
      : {}),
  });
}

export function registerOnboardingRoutes(app: FastifyInstance, options: ApiOptions): void {
  app.get<{ Params: { installId: string }; Reply: OnboardingKit }>(
    '/installs/:installId/onboarding',
    {
      schema: {
        operationId: 'getOnboardingKit',
        summary: 'What the customer needs to create the role',
        params: installIdParam,
        response: answers({ 200: { schema: 'OnboardingKit' } }, [
          ...installRouteProblems,
          ...vendorAuthProblems,
          'notReady',
        ]),
      },
      links: { 200: linksTo(['submitRoleArn', 'restartOnboarding'], '$request.path.installId') },
    },
    async (request) => {
      const status = await options.installs.onboardedStatus(request.params.installId);
      const artifacts = artifactsOf(status, options.runnerTokenKey, permissionSetOf(options), options.oidcIssuer);
      const base = `/installs/${request.params.installId}/onboarding`;
      const customerLink = customerLinkFor(options, request, status);
      return {
        ...artifacts,
        customerUrl: customerLink.url,
        customerUrlExpiresAt: customerLink.expiresAt,
        callback: status.onboarding?.callback && describeCallback(status.onboarding.callback),
        files: renderOnboardingKit(artifacts).map((file) => ({ name: file.name, url: `${base}/${file.name}` })),
      };
    },
  );

  app.get<{ Params: { installId: string; file: string } }>(
    '/installs/:installId/onboarding/:file',
    {
      schema: {
        operationId: 'getOnboardingFile',
        summary: 'One onboarding file, as a download',
        description: 'The names are those in the `files` of GET /installs/{installId}/onboarding.',
        response: {
          ...answers({}, [...installRouteProblems, ...vendorAuthProblems, 'notFound', 'notReady']),
          200: {
            description: 'The file (policies and templates as JSON, the AWS CLI script, the Terraform module).',
            headers: { 'content-disposition': { type: 'string' } },
            content: {
              'application/json': { schema: { type: 'object', additionalProperties: true } },
              'text/x-shellscript': { schema: { type: 'string' } },
              'text/plain': { schema: { type: 'string' } },
            },
          },
        },
        params: {
          ...installIdParam,
          required: ['installId', 'file'],
          properties: { ...installIdParam.properties, file: { type: 'string', enum: [...onboardingKitFileNames] } },
        },
      },
    },
    async (request, reply) => {
      const artifacts = artifactsOf(
        await options.installs.onboardedStatus(request.params.installId),
        options.runnerTokenKey,
        permissionSetOf(options),
        options.oidcIssuer,
      );
      const file = renderOnboardingKit(artifacts).find((candidate) => candidate.name === request.params.file);
      if (!file) throw new Problem('notFound', `No onboarding file ${request.params.file}.`);
      return reply
        .type(file.contentType)
        .header('content-disposition', `attachment; filename="${file.name}"`)
        .send(file.body);
    },
  );
}

/** The callback's state as of now: the workflow marks expiry on its own timer, which may not have fired yet. */
export function describeCallback(callback: OnboardingCallback): CallbackView {
  const lapsed = callback.state === 'open' && Date.now() >= Date.parse(callback.expiresAt);
  return {
    state: lapsed ? 'expired' : callback.state,
    expiresAt: callback.expiresAt,
    ...(callback.usedAt ? { usedAt: callback.usedAt, stackId: callback.stackId } : {}),
  };
}
