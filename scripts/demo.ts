import { randomBytes, randomUUID } from 'node:crypto';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import { buildApi } from '../client/api/server';
import { answered, createApiClient, type InstallApi } from '../client/cli/api-client';
import { renderStatus } from '../client/cli/render-status';
import { buildRunnerIdentityProof } from '../client/runner-identity-proof';
import { InstallService } from '../client/install-service';
import { createRoleFromArtifacts } from '../devstack/customer-role';
import { localAwsEndpoints, stackUp } from '../devstack/stack';
import { freePort } from '../devstack/ports';
import { generateSigningKeyConfig, parseOidcIssuer } from '../security/oidc-issuer';
import { createActivityDeps } from '../worker/activity-deps';
import { createInstallWorker } from '../worker/install-worker';
import { defaultTaskQueue, type InstallPhase } from '../workflows/definitions';

/**
 * The main job: one full install against the local stack, through the HTTP API as a vendor's backend would drive
 * it. The script plays the vendor (worker + API), the customer (creates the role from the rendered trust policy and
 * pastes the ARN) and the runner (checks in with its token and identity proof), and ends with the install active in the Temporal UI.
 *
 * `npm run demo -- --oidc`: the same install in OIDC trust mode. The API is the OIDC issuer (a fresh signing key),
 * the customer's role trusts it, and the worker holds no vendor AWS credentials at all (`vendorCredentials: 'none'`):
 * every call into the customer account starts with an unsigned AssumeRoleWithWebIdentity.
 */
async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  // The README says which Node to run; the SDK's once-per-process reminder would interrupt the story here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const stack = await stackUp((line) => log(`stack: ${line}`));
  const customer = stack.accounts.customers[0]!;
  const runnerTokenKey = Buffer.from(stack.runnerTokenKey, 'hex');
  const oidc = process.argv.includes('--oidc');
  const apiPort = await freePort();
  const oidcIssuer = oidc
    ? parseOidcIssuer(`http://127.0.0.1:${apiPort}`, JSON.stringify({ keys: [generateSigningKeyConfig('demo-1')] }))
    : undefined;

  const nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const apiKey = randomBytes(24).toString('hex');
  const apiServer = await buildApi({
    installs: new InstallService(new Client({ connection, namespace: stack.temporalNamespace }), defaultTaskQueue),
    apiKeys: [{ id: 'demo', secret: apiKey, orgs: ['demo-org'] }],
    runnerTokenKey,
    namespace: stack.temporalNamespace,
    temporalUiUrl: stack.temporalUiUrl,
    isReady: async () => true,
    durationFloor: 'development',
    runnerAttestation: { stsEndpoint: () => stack.awsEndpoint },
    oidcIssuer,
  });
  const api = createApiClient({ baseUrl: await apiServer.listen({ host: '127.0.0.1', port: apiPort }), apiKey });
  try {
    const worker = await createInstallWorker({
      connection: nativeConnection,
      namespace: stack.temporalNamespace,
      taskQueue: defaultTaskQueue,
      activities: createActivities(
        await createActivityDeps({
          aws: {
            region: 'us-east-1',
            endpoints: localAwsEndpoints(stack),
            vendorCredentials: oidc ? 'none' : stack.accounts.vendor.credentials,
          },
          vendorPrincipalArn: oidc ? undefined : stack.accounts.vendor.principalArn,
          oidcIssuer,
          roleTemplateBaseUrl: 'http://127.0.0.1:3000/installs',
          runnerTokenKey,
          pollIntervalMs: 500,
          durationFloor: 'development',
        }),
      ),
    });
    await worker.runUntil(async () => {
      const installId = `demo-${randomUUID().slice(0, 8)}`;
      const path = { params: { path: { installId } } };
      const started = await answered(
        api.POST('/installs', {
          body: {
            installId,
            orgId: 'demo-org',
            awsAccountId: customer.accountId,
            region: 'us-east-1',
            ...(oidc ? { trust: 'oidc' as const } : {}),
          },
        }),
      );
      log(
        `\nPOST /installs → ${started.status}: install ${installId} started; watch it in the Temporal UI:\n  ${started.body.links.temporalUi}\n`,
      );
      const stopProgress = printProgress(api, installId, log);
      try {
        const { body: kit } = await answered(api.GET('/installs/{installId}/onboarding', path));
        log(`vendor: the customer's link (open it to watch the page follow the install):\n  ${kit.customerUrl}\n`);
        await pauseForPerson('Press Enter to play the customer (or wait 15 s)...', 15_000, log);
        log(
          kit.oidcProvider
            ? `customer: creating the OIDC provider for ${kit.oidcProvider.url} and role ${kit.roleName} trusting it for ${kit.oidcProvider.subject}`
            : `customer: creating role ${kit.roleName} in account ${customer.accountId} from the trust policy (External ID ${kit.externalId.slice(0, 8)}…)`,
        );
        const roleArn = await createRoleFromArtifacts({
          endpoint: stack.awsEndpoint,
          credentials: customer.credentials,
          artifacts: kit,
        });
        log(`customer: pasting ${roleArn}`);
        const outcome = await answered(api.POST('/installs/{installId}/role-arn', { ...path, body: { roleArn } }));
        if (!('verified' in outcome.body)) throw new Error('role verification is still running after 20 seconds');
        if (!outcome.body.verified) throw new Error(`role verification failed: ${outcome.body.error?.message}`);
        log(
          oidc
            ? "vendor: role verified with no vendor AWS credentials (assumable with this install's token; another install's, another audience's, an expired and a foreign-key token refused; permissions complete)"
            : 'vendor: role verified (assumable with the External ID, refused without it, permissions complete)',
        );

        const registration = await waitFor(() =>
          answered(api.GET('/installs/{installId}/runner/registration', path))
            .then((answer) => answer.body)
            .catch(() => undefined),
        );
        const { body: handingOff } = await answered(api.GET('/installs/{installId}', path));
        const runnerRole = handingOff.install.runner!.expectedIdentity;
        log(`runner: running as a session of ${runnerRole} (the sandbox made it), signing its identity proof`);
        const sts = new STSClient({
          region: 'us-east-1',
          endpoint: stack.awsEndpoint,
          credentials: customer.credentials,
        });
        const { Credentials: session } = await sts.send(
          new AssumeRoleCommand({ RoleArn: runnerRole, RoleSessionName: `runner-${installId}`.slice(0, 64) }),
        );
        sts.destroy();
        const identityProof = await buildRunnerIdentityProof(installId, {
          region: 'us-east-1',
          endpoint: stack.awsEndpoint,
          credentials: {
            accessKeyId: session!.AccessKeyId!,
            secretAccessKey: session!.SecretAccessKey!,
            sessionToken: session!.SessionToken!,
          },
        });
        log('runner: checking in with its one-time registration token and identity proof');
        await answered(
          api.POST('/installs/{installId}/runner/check-in', {
            ...path,
            body: {
              registrationId: registration.registrationId,
              token: registration.token,
              runnerId: `runner-${installId}`,
              identityProof,
            },
          }),
        );
        const active = await waitFor(async () => {
          const { body } = await answered(api.GET('/installs/{installId}', path));
          if (body.install.phase === 'failed') throw new Error(`install failed: ${body.install.lastError?.message}`);
          return body.install.phase === 'active' ? body.install : undefined;
        });
        stopProgress();
        log(`\n${renderStatus(active)}`);
        log(`sandbox stack  ${active.sandbox?.stackName} (${active.sandbox?.stackStatus})`);
        log(`runner         ${active.runner?.verifiedIdentity} (as STS answered its proof)`);
        log(`CUR            s3://${active.cur?.bucket}/${active.cur?.prefix}/ (report ${active.cur?.reportName})`);
      } finally {
        stopProgress();
      }
      log(`\nTemporal UI: ${started.body.links.temporalUi}`);
      log(
        `All active installs: ${stack.temporalUiUrl}/namespaces/${stack.temporalNamespace}/workflows?query=${encodeURIComponent('InstallPhase="active"')}`,
      );
      log('The stack keeps running; stop it with: npm run stack -- down');
      await pauseForPerson('The customer page is served until you press Enter.', undefined, log);
    });
  } finally {
    await apiServer.close();
    await connection.close();
    await nativeConnection.close();
  }
}

/** Waits for Enter (or the timeout) when a person runs the demo at a terminal; does not wait otherwise. */
async function pauseForPerson(prompt: string, timeoutMs: number | undefined, log: (line: string) => void) {
  if (!process.stdin.isTTY) return;
  log(prompt);
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      process.stdin.off('data', done);
      process.stdin.pause();
      resolve();
    };
    const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
    process.stdin.resume();
    process.stdin.once('data', done);
  });
}

async function waitFor<T>(read: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('the install did not get there in time; see the Temporal UI');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Prints each phase as the install enters it, with the time since the start. */
function printProgress(api: InstallApi, installId: string, log: (line: string) => void): () => void {
  const started = Date.now();
  let last: InstallPhase | undefined;
  const timer = setInterval(() => {
    answered(api.GET('/installs/{installId}', { params: { path: { installId } } }))
      .then(({ body }) => {
        if (body.install.phase === last) return;
        last = body.install.phase;
        log(`  [${((Date.now() - started) / 1000).toFixed(1)}s] ${last}`);
      })
      .catch(() => undefined);
  }, 100);
  return () => clearInterval(timer);
}

main().catch((error: unknown) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
