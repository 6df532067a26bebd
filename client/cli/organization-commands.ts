import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { organizationRestingPhases } from '../../workflows/organization-status';
import { answered, type InstallApi } from './api-client';
import { renderOrganizationStatus } from './render-organization-status';

export interface OrganizationCommandsContext {
  api: () => InstallApi;
  print: (value: unknown, asJson: boolean, text: () => string) => void;
  out: (text: string) => void;
  clear: () => void;
  sleep: (ms: number) => Promise<void>;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function percentage(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 100) {
    throw new InvalidArgumentError('--tolerance must be a whole percentage from 0 to 100.');
  }
  return number;
}

const withNewline = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);

/** The kit's files as `org kit` writes them: the management role as a template and as CLI, and the member role. */
const kitFiles = (kit: {
  managementRoleTemplate: unknown;
  managementRoleCli: string;
  managementStackCli?: string;
  memberRoleTemplate: unknown;
}): Array<[string, string]> => [
  ['management-role-template.json', `${JSON.stringify(kit.managementRoleTemplate, null, 2)}\n`],
  ['create-management-role.sh', withNewline(kit.managementRoleCli)],
  // While the callback is open: the role as a stack from the template, which reports its ARN itself.
  ...(kit.managementStackCli
    ? [['create-management-stack.sh', withNewline(kit.managementStackCli)] as [string, string]]
    : []),
  ['member-role-template.json', `${JSON.stringify(kit.memberRoleTemplate, null, 2)}\n`],
];

/**
 * `org …`: the organization install routes (`/organization-installs`) as commands, one per route. The members are
 * ordinary installs: `status <org install>-<account>` and the other install commands reach each one.
 */
export function addOrganizationCommands(program: Command, context: OrganizationCommandsContext): void {
  const { api, print, out } = context;
  const org = program
    .command('org')
    .description('organization installs: one management role, a StackSet of the install role, an install per account');
  const path = (organizationInstallId: string) => ({ params: { path: { organizationInstallId } } });

  org
    .command('start')
    .description('start an organization install (repeating it with the same --id returns the same one)')
    .requiredOption('--org <orgId>', 'the customer organisation')
    .requiredOption('--management-account <awsAccountId>', "the 12-digit account of the AWS Organization's management")
    .requiredOption('--region <region>', 'the home region of the StackSet and the member installs, e.g. us-east-1')
    .requiredOption('--ou <ouId>', 'an OU (ou-…) or the root (r-…) whose accounts to install; repeat for more', collect)
    .option('--id <organizationInstallId>', 'a stable id of your choosing (members are <id>-<account id>)')
    .option('--tolerance <percent>', 'how many members may fail before the whole is degraded (default 10)', percentage)
    .option('--resync-interval <duration>', 'how often the OUs are listed again (default 6 hours)')
    .option('--member-poll-interval <duration>', "how often the members' phases are read (default 1 minute)")
    .option('--json', 'print JSON')
    .action(
      async (options: {
        org: string;
        managementAccount: string;
        region: string;
        ou: string[];
        id?: string;
        tolerance?: number;
        resyncInterval?: string;
        memberPollInterval?: string;
        json?: boolean;
      }) => {
        const { body } = await answered(
          api().POST('/organization-installs', {
            body: {
              organizationInstallId: options.id,
              orgId: options.org,
              managementAccountId: options.managementAccount,
              region: options.region,
              organizationalUnitIds: options.ou,
              failureTolerancePercentage: options.tolerance,
              resyncInterval: options.resyncInterval,
              memberPollInterval: options.memberPollInterval,
            },
          }),
        );
        print(body, Boolean(options.json), () => renderOrganizationStatus(body.organizationInstall));
      },
    );

  org
    .command('status <organizationInstallId>')
    .description(
      'show an organization install and its accounts; --watch redraws until it rests (waiting on the customer, ' +
        'active, degraded or ended); the members go on at their own pace',
    )
    .option('--watch', 'redraw until it rests')
    .addOption(new Option('--interval <ms>', 'redraw interval').default('1000'))
    .option('--json', 'print JSON')
    .action(async (id: string, options: { watch?: boolean; interval: string; json?: boolean }) => {
      for (;;) {
        const { body } = await answered(api().GET('/organization-installs/{organizationInstallId}', path(id)));
        const status = body.organizationInstall;
        if (options.watch) context.clear();
        print(status, Boolean(options.json), () => renderOrganizationStatus(status));
        if (!options.watch || organizationRestingPhases.includes(status.phase)) return;
        await context.sleep(Number(options.interval));
      }
    });

  org
    .command('kit <organizationInstallId>')
    .description("download the management role's template and AWS CLI script, and the member role, into a folder")
    .requiredOption('--out <dir>', 'where to write the files')
    .action(async (id: string, options: { out: string }) => {
      const { body } = await answered(api().GET('/organization-installs/{organizationInstallId}/kit', path(id)));
      mkdirSync(options.out, { recursive: true });
      for (const [name, text] of kitFiles(body)) {
        writeFileSync(join(options.out, name), text);
        out(`wrote ${join(options.out, name)}\n`);
      }
      out(`External ID ${body.externalId}; the StackSet will be ${body.stackSetName}\n`);
    });

  org
    .command('submit-arn <organizationInstallId> <roleArn>')
    .description("submit the management role's ARN and print the verification outcome")
    .action(async (id: string, roleArn: string) => {
      const { body } = await answered(
        api().POST('/organization-installs/{organizationInstallId}/role-arn', { ...path(id), body: { roleArn } }),
      );
      if (body.verified) out(`verified: the management role is assumable and reads the organization (${body.phase})\n`);
      else out(`not verified: ${body.error?.code}: ${body.error?.message}\n`);
    });

  org
    .command('resync <organizationInstallId>')
    .description('list the OUs again now: an install for each new account, a deprovision for each one gone')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const { body } = await answered(api().POST('/organization-installs/{organizationInstallId}/resync', path(id)));
      print(body, Boolean(options.json), () => renderOrganizationStatus(body.organizationInstall));
    });

  org
    .command('deprovision <organizationInstallId>')
    .description('deprovision every member install, then remove the StackSet and its member roles')
    .option('--reason <text>', 'recorded with the request')
    .action(async (id: string, options: { reason?: string }) => {
      const { body } = await answered(
        api().POST('/organization-installs/{organizationInstallId}/deprovision', {
          ...path(id),
          body: { reason: options.reason },
        }),
      );
      out(`deprovisioning requested (was ${body.phase})\n`);
    });
}
