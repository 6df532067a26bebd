import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../devstack/paths';
import { startService } from '../devstack/service-process';
import { runnerTokenKey, stack } from './helpers';

export interface WorkerProcessOptions {
  /** Default: the test stack's dev server. */
  temporalAddress?: string;
  taskQueue: string;
  logDir: string;
  /** Names the process in errors and its log file (`<name>.log`). */
  name: string;
  /** More of the worker's environment (WORKER_METRICS_ADDRESS, WEBHOOK_ENDPOINTS_FILE, …). */
  env?: Record<string, string>;
  /**
   * Start it with no AWS credentials of any kind (OIDC installs only): no keys, profile, web identity or container
   * credentials in its environment, no shared files, no instance metadata; VENDOR_AWS_CREDENTIALS=none.
   */
  withoutVendorCredentials?: boolean;
}

/** Every variable the AWS SDK's default credential chain reads. */
export const awsCredentialVariables = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];

function withoutAwsCredentials(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !awsCredentialVariables.includes(name)));
}

/**
 * The real worker entry point (worker/main.ts) as its own process, configured only through its environment, as an
 * operator runs it; ready once it logs that it started.
 */
export function startWorkerProcess(options: WorkerProcessOptions) {
  const logFile = join(options.logDir, `${options.name}.log`);
  return startService({
    name: `worker process ${options.name}`,
    command: process.execPath,
    args: ['--import', 'tsx', join(projectRoot, 'worker', 'main.ts')],
    env: {
      ...(options.withoutVendorCredentials ? withoutAwsCredentials(process.env) : process.env),
      TEMPORAL_ADDRESS: options.temporalAddress ?? stack.temporalAddress,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      AWS_ENDPOINT_URL: stack.awsEndpoint,
      AWS_ENDPOINT_URL_CUR: stack.curEndpoint,
      AWS_ENDPOINT_URL_BCM_DATA_EXPORTS: stack.dataExportsEndpoint,
      AWS_REGION: 'us-east-1',
      ...(options.withoutVendorCredentials
        ? {
            VENDOR_AWS_CREDENTIALS: 'none',
            AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
            AWS_CONFIG_FILE: '/nonexistent/config',
            AWS_EC2_METADATA_DISABLED: 'true',
          }
        : {
            AWS_ACCESS_KEY_ID: stack.accounts.vendor.credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: stack.accounts.vendor.credentials.secretAccessKey,
            VENDOR_PRINCIPAL_ARN: stack.accounts.vendor.principalArn,
          }),
      RUNNER_TOKEN_KEY: Buffer.from(runnerTokenKey).toString('hex'),
      POLL_INTERVAL_MS: '50',
      WORKFLOW_BUNDLE: stack.workflowBundlePath,
      // Without it the worker refuses to start unencrypted; the test's client has no codec.
      INSTALL_ORCHESTRATOR_ENV: 'development',
      ...options.env,
    },
    logFile,
    detached: false,
    isReady: async () => readFileSync(logFile, 'utf8').includes('"msg":"worker started"'),
    readyTimeoutMs: 60_000,
  });
}
