import { createServer, type Server } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertPortFree, PortInUseError } from '../../devstack/ports';
import { spawn } from 'node:child_process';
import { isAlive, ServiceStartError, startService, waitForExit } from '../../devstack/service-process';
import { locateTemporalCli, ToolSetupError } from '../../devstack/tools';

const logDir = mkdtempSync(join(tmpdir(), 'devstack-test-'));

async function waitUntilGone(pid: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`process ${pid} is still running`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the local stack fails loudly', () => {
  it('reports a server that dies before it is ready, with the end of its log', async () => {
    const start = startService({
      name: 'broken server',
      command: 'bash',
      args: ['-c', 'echo "listen tcp 127.0.0.1:7233: bind: address already in use"; exit 3'],
      logFile: join(logDir, 'broken.log'),
      detached: false,
      isReady: async () => false,
      readyTimeoutMs: 10_000,
    });
    await expect(start).rejects.toThrow(ServiceStartError);
    await expect(start).rejects.toThrow(
      /broken server exited with code 3 before it was ready[\s\S]*address already in use/,
    );
  });

  it('gives up on a server that never becomes ready and stops it', async () => {
    const pidFile = join(logDir, 'hung.pid');
    const start = startService({
      name: 'hung server',
      command: 'bash',
      args: ['-c', `echo $$ > ${pidFile}; exec sleep 30`],
      logFile: join(logDir, 'hung.log'),
      detached: true,
      isReady: async () => false,
      // Long enough for bash to write its pid file on a loaded machine before the server is given up on.
      readyTimeoutMs: 1_500,
    });
    await expect(start).rejects.toThrow(/hung server was not ready within 1.5s/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitUntilGone(pid);
  });

  it('reports a command that does not exist', async () => {
    await expect(
      startService({
        name: 'missing binary',
        command: join(logDir, 'no-such-binary'),
        args: [],
        logFile: join(logDir, 'missing.log'),
        detached: false,
        isReady: async () => false,
        readyTimeoutMs: 5_000,
      }),
    ).rejects.toThrow(/could not be started|exited/);
  });

  it('names the port, its purpose and the variable that moves it when a port is taken', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const error = await assertPortFree('127.0.0.1', port, 'Temporal gRPC', 'TEMPORAL_PORT').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PortInUseError);
      expect((error as Error).message).toContain(`Port ${port} (Temporal gRPC) is already in use`);
      expect((error as Error).message).toContain('TEMPORAL_PORT=<port>');
    } finally {
      server.close();
    }
  });

  it('refuses a TEMPORAL_CLI that is not an executable', () => {
    const previous = process.env.TEMPORAL_CLI;
    process.env.TEMPORAL_CLI = join(logDir, 'not-there');
    try {
      expect(() => locateTemporalCli()).toThrow(ToolSetupError);
    } finally {
      if (previous === undefined) delete process.env.TEMPORAL_CLI;
      else process.env.TEMPORAL_CLI = previous;
    }
  });

  it('stops an attached service when the process that started it is SIGKILLed', async () => {
    // A parent that starts `sleep` as an attached service, prints its pid, and waits to be killed. Run by node itself
    // (the tsx command would put a process of its own between the kill and the parent).
    const parentFile = join(logDir, 'parent.ts');
    writeFileSync(
      parentFile,
      `import { startService } from ${JSON.stringify(join(__dirname, '../../devstack/service-process'))};
      startService({ name: 'sleeper', command: 'sleep', args: ['300'], logFile: ${JSON.stringify(join(logDir, 'sleeper.log'))},
        detached: false, isReady: async () => true, readyTimeoutMs: 5000 })
        .then((child) => { console.log(child.pid); setInterval(() => undefined, 1000); });`,
    );
    const parent = spawn(process.execPath, ['--import', 'tsx', parentFile], {
      cwd: join(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const servicePid = await new Promise<number>((resolve, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      parent.once('exit', (code) => reject(new Error(`the parent exited with ${code} before starting the service`)));
    });
    expect(isAlive(servicePid)).toBe(true);
    parent.kill('SIGKILL');
    // The watcher looks once a second, then asks the service to stop.
    expect(await waitForExit(servicePid, 10_000)).toBe(true);
  }, 30_000);
});
