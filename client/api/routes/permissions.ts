import type { FastifyInstance } from 'fastify';
import { parseRoleArn } from '../../../domain/arn';
import { sandboxNamingOf, suggestedRoleName } from '../../../domain/install-names';
import { installPermissionVersion } from '../../../domain/permission-versions';
import { renderPermissionUpgradeKit } from '../../../domain/permission-upgrade-kit';
import type { InstallStatus } from '../../../workflows/definitions';
import { answers, installRouteProblems, linksTo, vendorAuthProblems } from '../contract';
import type { PermissionsView } from '../responses';
import { installIdParam } from '../schemas';
import { installLinks, type ApiOptions } from '../context';
import { permissionSetOf } from '../permission-set';

function permissionsView(options: ApiOptions, status: InstallStatus): PermissionsView {
  const set = permissionSetOf(options);
  const upgrade = status.permissions?.upgrade;
  const role = status.role?.arn ? parseRoleArn(status.role.arn) : undefined;
  const links = installLinks(options, status.installId);
  return {
    phase: status.phase,
    version: installPermissionVersion(status),
    currentVersion: set.current,
    ...(upgrade && status.onboarding
      ? {
          upgrade: {
            ...upgrade,
            kit: renderPermissionUpgradeKit({
              install: { ...status, cur: status.costReportSettings, sandboxNaming: sandboxNamingOf(status) },
              set,
              fromVersion: upgrade.fromVersion,
              toVersion: upgrade.toVersion,
              roleName: role?.ok ? role.role.roleName : suggestedRoleName(status.installId),
              roleTemplateUrl: status.onboarding.roleTemplateUrl,
            }),
          },
        }
      : {}),
    upgrades: status.permissions?.upgrades ?? [],
    links: { ...links, recheck: `${links.self}/permissions/recheck` },
  };
}

export function registerPermissionRoutes(app: FastifyInstance, options: ApiOptions): void {
  app.get<{ Params: { installId: string }; Reply: PermissionsView }>(
    '/installs/:installId/permissions',
    {
      schema: {
        operationId: 'getPermissions',
        summary: "The install's permission version, and what a newer version asks the customer to grant",
        params: installIdParam,
        response: answers({ 200: { schema: 'PermissionsView' } }, [...installRouteProblems, ...vendorAuthProblems]),
      },
      links: { 200: linksTo(['getInstall', 'recheckPermissions'], '$request.path.installId') },
    },
    async (request) => permissionsView(options, await options.installs.status(request.params.installId)),
  );

  app.post<{ Params: { installId: string }; Reply: PermissionsView }>(
    '/installs/:installId/permissions/recheck',
    {
      schema: {
        operationId: 'recheckPermissions',
        summary: 'Re-verify an active install now, e.g. once the customer granted a permission upgrade',
        description:
          'Runs one re-verification (the role at its permission version, and what newer versions add) and answers ' +
          'with its outcome: back to `active` at the new version once the role grants it.',
        params: installIdParam,
        response: answers({ 200: { schema: 'PermissionsView' } }, [
          ...installRouteProblems,
          ...vendorAuthProblems,
          'wrongPhase',
        ]),
      },
      links: { 200: linksTo(['getInstall', 'getPermissions'], '$request.path.installId') },
    },
    async (request) => {
      await options.installs.recheckPermissions(request.params.installId);
      return permissionsView(options, await options.installs.status(request.params.installId));
    },
  );
}
