import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../devstack/paths';
import { runnerTokenKey, stack } from '../helpers';

interface Outcome {
  code: number | null;
  output: string;
  /** Whether `readyWhen` appeared (the process was then stopped). */
  ready: boolean;
}

/**
 * Runs an entry point as its own process (as `npm run worker` would) with exactly `env`, until it exits or prints
 * `readyWhen`; a process that does neither within the deadline fails the test.
 */
function runEntryPoint(script: string, env: NodeJS.ProcessEnv, readyWhen?: string): Promise<Outcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, script)], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let ready = false;
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} neither exited nor became ready in 60 s:\n${output}`));
    }, 60_000);
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      if (readyWhen && !ready && output.includes(readyWhen)) {
        ready = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      resolve({ code, output, ready });
    });
  });
}

const key = Buffer.from(runnerTokenKey).toString('hex');
const workerEnv = {
  TEMPORAL_ADDRESS: stack.temporalAddress,
  TEMPORAL_TASK_QUEUE: 'entry-points-unused',
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL: stack.awsEndpoint,
  AWS_ACCESS_KEY_ID: stack.accounts.vendor.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: stack.accounts.vendor.credentials.secretAccessKey,
  VENDOR_PRINCIPAL_ARN: stack.accounts.vendor.principalArn,
  RUNNER_TOKEN_KEY: key,
  WORKFLOW_BUNDLE: stack.workflowBundlePath,
};
const apiEnv = {
  TEMPORAL_ADDRESS: stack.temporalAddress,
  RUNNER_TOKEN_KEY: key,
  API_AUTH: 'off',
  API_PORT: '0',
};

describe('entry points outside local development', () => {
  it.each([
    ['the worker', 'worker/main.ts', workerEnv, '"msg":"worker started"'],
    ['the API', 'client/api/main.ts', apiEnv, 'Server listening'],
  ])('%s refuses to start without PAYLOAD_ENCRYPTION_KEY, naming it', async (_name, script, env, started) => {
    const { code, output, ready } = await runEntryPoint(script, env, started);
    expect(ready).toBe(false);
    expect(code).toBe(1);
    expect(output).toMatch(/: PAYLOAD_ENCRYPTION_KEY is required outside local development/);
  });

  it('the codec endpoint refuses to start without CODEC_ACCESS_TOKEN, naming it', async () => {
    const { code, output, ready } = await runEntryPoint(
      'client/codec-server-main.ts',
      { PAYLOAD_ENCRYPTION_KEY: key, CODEC_PORT: '0' },
      'codec server listening',
    );
    expect(ready).toBe(false);
    expect(code).toBe(1);
    expect(output).toContain('codec-server: CODEC_ACCESS_TOKEN is required outside local development');
  });
});

describe('entry points when the operator says so', () => {
  it('the worker starts without a key in local development', async () => {
    const outcome = await runEntryPoint(
      'worker/main.ts',
      { ...workerEnv, INSTALL_ORCHESTRATOR_ENV: 'development' },
      '"msg":"worker started"',
    );
    expect(outcome).toMatchObject({ ready: true });
    expect(outcome.output).toContain('"payloadEncryption":false');
  });

  it('the API starts without a key when encryption is turned off by name', async () => {
    const outcome = await runEntryPoint(
      'client/api/main.ts',
      { ...apiEnv, PAYLOAD_ENCRYPTION: 'off' },
      'Server listening',
    );
    expect(outcome).toMatchObject({ ready: true });
  });

  it('the codec endpoint starts without a token when told CODEC_AUTH=off', async () => {
    const outcome = await runEntryPoint(
      'client/codec-server-main.ts',
      { PAYLOAD_ENCRYPTION_KEY: key, CODEC_PORT: '0', CODEC_AUTH: 'off' },
      'codec server listening',
    );
    expect(outcome).toMatchObject({ ready: true });
  });
});
