import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createRoleFromArtifacts } from '../devstack/customer-role';
import { stackUp } from '../devstack/stack';
import { renderOnboardingArtifacts } from '../domain/onboarding-artifacts';
import { deriveRunnerToken, sha256Hex } from '../security/runner-token';
import { createActivityDeps } from '../worker/activity-deps';
import { createInstallWorker } from '../worker/install-worker';
import { installWorkflow } from '../workflows';
import {
  defaultTaskQueue,
  getStatusQuery,
  runnerCheckInUpdate,
  submitRoleArnUpdate,
  type InstallPhase,
  type InstallStatus,
} from '../workflows/definitions';

/**
 * The main job: one full install against the local stack. It plays the vendor's worker, the customer (creates
 * the role from the rendered trust policy, pastes the ARN) and the runner (checks in), and ends with the install
 * active, watchable in the Temporal UI.
 */
async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const stack = await stackUp((line) => log(`stack: ${line}`));
  const customer = stack.accounts.customers[0]!;
  const runnerTokenKey = Buffer.from(stack.runnerTokenKey, 'hex');
  const all = stack.awsEndpoint;
  const deps = await createActivityDeps({
    aws: {
      region: 'us-east-1',
      endpoints: { sts: all, iam: all, s3: all, cloudformation: all, cur: stack.curEndpoint },
      vendorCredentials: stack.accounts.vendor.credentials,
    },
    vendorPrincipalArn: stack.accounts.vendor.principalArn,
    roleTemplateBaseUrl: 'http://127.0.0.1:3000/templates',
    runnerTokenKey,
    pollIntervalMs: 500,
  });

  const nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, namespace: stack.temporalNamespace });
  try {
    const worker = await createInstallWorker({
      connection: nativeConnection,
      namespace: stack.temporalNamespace,
      taskQueue: defaultTaskQueue,
      activities: createActivities(deps),
    });
    await worker.runUntil(async () => {
      const installId = `demo-${randomUUID().slice(0, 8)}`;
      const input = { installId, orgId: 'demo-org', awsAccountId: customer.accountId, region: 'us-east-1' };
      const handle = await client.workflow.start(installWorkflow, {
        workflowId: installId,
        taskQueue: defaultTaskQueue,
        args: [input],
      });
      const uiLink = `${stack.temporalUiUrl}/namespaces/${stack.temporalNamespace}/workflows/${installId}`;
      log(`\ninstall ${installId} started; watch it in the Temporal UI:\n  ${uiLink}\n`);
      const startedAt = Date.now();
      const stopProgress = printProgress(handle, log, startedAt);
      try {
        const status = await waitFor(handle, (s) => s.onboarding !== undefined);
        const artifacts = renderOnboardingArtifacts({ install: input, ...status.onboarding! });
        log(
          `customer: creating role ${artifacts.roleName} in account ${customer.accountId} (External ID ${artifacts.externalId.slice(0, 8)}…)`,
        );
        const roleArn = await createRoleFromArtifacts({
          endpoint: stack.awsEndpoint,
          credentials: customer.credentials,
          artifacts,
        });
        log(`customer: pasting ${roleArn}`);
        const outcome = await handle.executeUpdate(submitRoleArnUpdate, { args: [{ roleArn }] });
        if (!outcome.verified) throw new Error(`role verification failed: ${outcome.error?.message}`);
        log('vendor: role verified (assumable with the External ID, refused without it, permissions complete)');

        const handingOff = await waitFor(
          handle,
          (s) => (s.phase === 'handing_off' && s.runner !== undefined) || s.phase === 'failed',
        );
        if (handingOff.phase === 'failed') throw new Error(`install failed: ${handingOff.lastError?.message}`);
        const registrationId = handingOff.runner!.registrationId;
        const token = deriveRunnerToken(runnerTokenKey, installId, registrationId);
        log('runner: checking in with its registration token');
        await handle.executeUpdate(runnerCheckInUpdate, {
          args: [{ registrationId, tokenSha256: sha256Hex(token), runnerId: `runner-${installId}` }],
        });
        const active = await waitFor(handle, (s) => s.phase === 'active');
        stopProgress();
        log(`  [${((Date.now() - startedAt) / 1000).toFixed(1)}s] active`);
        log(`\ninstall ${installId} is active:`);
        log(`  sandbox stack  ${active.sandbox?.stackName} (${active.sandbox?.stackStatus})`);
        log(`  CUR bucket     s3://${active.cur?.bucket}/${active.cur?.prefix}/ (report ${active.cur?.reportName})`);
        log(`  runner         ${active.runner?.runnerId}, checked in ${active.runner?.checkedInAt}`);
      } finally {
        stopProgress();
      }
      log(`\nTemporal UI: ${uiLink}`);
      log(
        `Find every install: ${stack.temporalUiUrl}/namespaces/${stack.temporalNamespace}/workflows?query=${encodeURIComponent('InstallPhase="active"')}`,
      );
      log('The stack keeps running; stop it with: npm run stack -- down');
    });
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
}

async function waitFor(
  handle: WorkflowHandle<typeof installWorkflow>,
  done: (status: InstallStatus) => boolean,
  timeoutMs = 120_000,
): Promise<InstallStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(getStatusQuery);
    if (done(status)) return status;
    if (Date.now() > deadline)
      throw new Error(`install stuck in ${status.phase}: ${status.lastError?.message ?? 'no error'}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Prints each phase as the workflow enters it, with the time since the start. */
function printProgress(
  handle: WorkflowHandle<typeof installWorkflow>,
  log: (line: string) => void,
  started: number,
): () => void {
  let last: InstallPhase | undefined;
  const timer = setInterval(() => {
    handle
      .query(getStatusQuery)
      .then((status) => {
        if (status.phase === last) return;
        last = status.phase;
        log(`  [${((Date.now() - started) / 1000).toFixed(1)}s] ${status.phase}`);
      })
      .catch(() => undefined);
  }, 200);
  return () => clearInterval(timer);
}

main().catch((error: unknown) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
