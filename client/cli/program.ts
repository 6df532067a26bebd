import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { answered, createApiClient, type ApiOperations, type InstallApi } from './api-client';
import { addOrganizationCommands } from './organization-commands';
import { renderStatus, restingPhases } from './render-status';
import { buildRunnerIdentityProof } from '../runner-identity-proof';

export interface CliIo {
  out: (text: string) => void;
  /** Clears the terminal for a redraw; a no-op when output is not a terminal. */
  clear: () => void;
  sleep: (ms: number) => Promise<void>;
  env: NodeJS.ProcessEnv;
}

function apiFrom(env: NodeJS.ProcessEnv): InstallApi {
  return createApiClient({ baseUrl: env.INSTALL_API_URL ?? 'http://127.0.0.1:3000', apiKey: env.INSTALL_API_KEY });
}

type ListedPhase = NonNullable<NonNullable<ApiOperations['listInstalls']['parameters']['query']>['phase']>;

function isListedPhase(phase: string): phase is ListedPhase {
  return (restingPhases as readonly string[]).includes(phase);
}

/** The CLI as a commander program, with its I/O injected so tests can run it in-process. */
export function buildCli(io: CliIo): Command {
  const api = () => apiFrom(io.env);
  const print = (value: unknown, asJson: boolean, text: () => string) =>
    io.out(asJson ? `${JSON.stringify(value, null, 2)}\n` : text());
  const program = new Command('install-orchestrator')
    .description('Start and follow AWS account installs (talks to the HTTP API: INSTALL_API_URL, INSTALL_API_KEY).')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.out });

  program
    .command('start')
    .description('start an install (repeating it with the same --id returns the same install)')
    .requiredOption('--org <orgId>', 'the customer organisation')
    .requiredOption('--account <awsAccountId>', 'the 12-digit AWS account the role will live in')
    .requiredOption('--region <region>', 'the home region, e.g. us-east-1')
    .option('--id <installId>', 'a stable install id of your choosing')
    .option('--json', 'print JSON')
    .action(async (options: { org: string; account: string; region: string; id?: string; json?: boolean }) => {
      const { body } = await answered(
        api().POST('/installs', {
          body: { installId: options.id, orgId: options.org, awsAccountId: options.account, region: options.region },
        }),
      );
      print(
        body,
        Boolean(options.json),
        () => `${renderStatus(body.install)}UI      ${body.links.temporalUi ?? '-'}\n`,
      );
    });

  program
    .command('status <installId>')
    .description('show an install; --watch redraws until it rests (waiting on someone, active, or ended)')
    .option('--watch', 'redraw until the install rests')
    .addOption(new Option('--interval <ms>', 'redraw interval').default('1000'))
    .option('--json', 'print JSON')
    .action(async (installId: string, options: { watch?: boolean; interval: string; json?: boolean }) => {
      for (;;) {
        const { body } = await answered(api().GET('/installs/{installId}', { params: { path: { installId } } }));
        if (options.watch) io.clear();
        print(body.install, Boolean(options.json), () => renderStatus(body.install));
        if (!options.watch || restingPhases.includes(body.install.phase)) return;
        await io.sleep(Number(options.interval));
      }
    });

  program
    .command('submit-arn <installId> <roleArn>')
    .description("submit the customer's role ARN and print the verification outcome")
    .action(async (installId: string, roleArn: string) => {
      const { body } = await answered(
        api().POST('/installs/{installId}/role-arn', { params: { path: { installId } }, body: { roleArn } }),
      );
      if (!('verified' in body)) io.out('submitted; verification is still running: follow it with `status --watch`\n');
      else if (body.verified)
        io.out('verified: the role is assumable with the External ID, refused without it, and complete\n');
      else io.out(`not verified: ${body.error?.code}: ${body.error?.message}\n`);
    });

  program
    .command('artifacts <installId>')
    .description('download the onboarding kit (policies, template, AWS CLI script, Terraform) into a folder')
    .requiredOption('--out <dir>', 'where to write the files')
    .action(async (installId: string, options: { out: string }) => {
      const { body } = await answered(
        api().GET('/installs/{installId}/onboarding', { params: { path: { installId } } }),
      );
      mkdirSync(options.out, { recursive: true });
      for (const file of body.files) {
        const download = await answered(
          api().GET('/installs/{installId}/onboarding/{file}', {
            params: { path: { installId, file: file.name } },
            parseAs: 'text',
          }),
        );
        const text = typeof download.body === 'string' ? download.body : `${JSON.stringify(download.body, null, 2)}\n`;
        writeFileSync(join(options.out, file.name), text);
        io.out(`wrote ${join(options.out, file.name)}\n`);
      }
    });

  program
    .command('deprovision <installId>')
    .description('remove everything the install created')
    .option('--reason <text>', 'recorded with the request')
    .action(async (installId: string, options: { reason?: string }) => {
      const { body } = await answered(
        api().POST('/installs/{installId}/deprovision', {
          params: { path: { installId } },
          body: { reason: options.reason },
        }),
      );
      io.out(`deprovisioning requested (was ${body.phase})\n`);
    });

  program
    .command('rotate-external-id <installId>')
    .description(
      'start an External ID rotation: the customer lets the role accept the new ID (the kit and the customer page show ' +
        'how), the install switches, then asks for the old one to go; follow it with `status`',
    )
    .option('--expires-after <duration>', 'how long the customer has (default 48 hours, 1 hour to 30 days)')
    .option('--poll-every <duration>', 'how often the install tries the new ID (default 1 minute, up to 1 hour)')
    .option('--json', 'print JSON')
    .action(async (installId: string, options: { expiresAfter?: string; pollEvery?: string; json?: boolean }) => {
      const { body } = await answered(
        api().POST('/installs/{installId}/external-id/rotate', {
          params: { path: { installId } },
          body: { expiresAfter: options.expiresAfter, pollEvery: options.pollEvery },
        }),
      );
      const rotation = body.externalIdRotation;
      print(
        body,
        Boolean(options.json),
        () =>
          `rotation ${rotation.step}, until ${rotation.expiresAt}\n` +
          (rotation.customerAction ? `customer  ${rotation.customerAction}\n` : ''),
      );
    });

  program
    .command('permissions <installId>')
    .description(
      "where the install stands on the vendor's permission versions, and what a pending upgrade asks the customer " +
        'to grant; --recheck looks again at once',
    )
    .option('--recheck', 'check the role against the newest version now')
    .option('--json', 'print JSON')
    .action(async (installId: string, options: { recheck?: boolean; json?: boolean }) => {
      const path = { params: { path: { installId } } };
      const { body } = await answered(
        options.recheck
          ? api().POST('/installs/{installId}/permissions/recheck', path)
          : api().GET('/installs/{installId}/permissions', path),
      );
      const upgrade = body.upgrade;
      print(body, Boolean(options.json), () =>
        [
          `phase     ${body.phase}\n`,
          `version   ${body.version} of ${body.currentVersion}\n`,
          ...(upgrade
            ? [
                `upgrade   ${upgrade.fromVersion} -> ${upgrade.toVersion}, asked ${upgrade.askedAt}, checked ${upgrade.checks} times\n`,
                ...upgrade.missing.map((action) => `missing   ${action}\n`),
                `grant it  with the AWS CLI:\n${upgrade.kit.cli.trimEnd()}\n`,
              ]
            : []),
        ].join(''),
      );
    });

  program
    .command('runner-proof')
    .description(
      "print the runner's identity proof for its check-in (identityProof): an sts:GetCallerIdentity request signed " +
        'with the credentials this process runs with (AWS_* variables or the default chain), valid for 5 minutes',
    )
    .requiredOption('--install <installId>', 'the install the runner checks in to (signed into the proof)')
    .option('--region <region>', "the install's region (default: AWS_REGION, then us-east-1)")
    .action(async (options: { install: string; region?: string }) => {
      const env = io.env;
      const endpoint = env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL;
      const credentials =
        env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
          ? {
              accessKeyId: env.AWS_ACCESS_KEY_ID,
              secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
              sessionToken: env.AWS_SESSION_TOKEN,
            }
          : undefined;
      const proof = await buildRunnerIdentityProof(options.install, {
        region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
        ...(endpoint ? { endpoint } : {}),
        ...(credentials ? { credentials } : {}),
      });
      io.out(`${JSON.stringify(proof)}\n`);
    });

  program
    .command('list')
    .description('list installs')
    .option('--phase <phase>')
    .option('--account <awsAccountId>')
    .option('--org <orgId>')
    .option('--json', 'print JSON')
    .action(async (options: { phase?: string; account?: string; org?: string; json?: boolean }) => {
      if (options.phase !== undefined && !isListedPhase(options.phase)) {
        throw new InvalidArgumentError(`--phase must be one of ${restingPhases.join(', ')}.`);
      }
      const { body } = await answered(
        api().GET('/installs', {
          params: { query: { phase: options.phase, awsAccountId: options.account, orgId: options.org } },
        }),
      );
      print(body.installs, Boolean(options.json), () =>
        body.installs
          .map(
            (i) =>
              `${i.installId}\t${i.phase ?? '-'}\t${i.awsAccountId ?? '-'}\t${i.orgId ?? '-'}\t${i.workflowStatus}\n`,
          )
          .join(''),
      );
    });

  addOrganizationCommands(program, { api, print, out: io.out, clear: io.clear, sleep: io.sleep });

  return program;
}
