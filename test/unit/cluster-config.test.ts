import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTemporalServer } from '../../devstack/cluster';
import { assertTraversable, postgresBinDir } from '../../devstack/cluster/postgres';
import {
  clusterServiceNames,
  dynamicConfigFile,
  serviceConfig,
  type ClusterLayout,
} from '../../devstack/cluster/server-config';
import { freePortInRange } from '../../devstack/ports';
import { runCommand } from '../../devstack/run-command';
import { ToolSetupError } from '../../devstack/tools';

const dir = mkdtempSync(join(tmpdir(), 'cluster-config-test-'));
const quiet = () => undefined;

const layout: ClusterLayout = {
  host: '127.0.0.1',
  historyShards: 4,
  postgres: { port: 15432, password: 'secret' },
  services: {
    'history-1': { grpc: 17001, membership: 27001 },
    'history-2': { grpc: 17002, membership: 27002 },
    matching: { grpc: 17003, membership: 27003 },
    frontend: { grpc: 17004, membership: 27004 },
    worker: { grpc: 17005, membership: 27005 },
  },
  dynamicConfigFile: join(dir, 'dynamicconfig.yaml'),
};

function withEnv(name: string, value: string, body: () => Promise<void> | void): Promise<void> {
  const previous = process.env[name];
  process.env[name] = value;
  return Promise.resolve()
    .then(body)
    .finally(() => {
      if (previous === undefined) delete process.env[name];
      else process.env[name] = previous;
    });
}

describe('the cluster configuration', () => {
  it('gives each process its own ports, and the server reads every file as written', async () => {
    const { server } = await ensureTemporalServer(quiet);
    for (const service of clusterServiceNames) {
      writeFileSync(join(dir, `${service}.yaml`), JSON.stringify(serviceConfig(layout, service)));
    }
    writeFileSync(layout.dynamicConfigFile, dynamicConfigFile());
    const rendered = async (service: string) => {
      // render-config reads --config alone (start joins it to --root).
      const result = await runCommand(server, ['--config', dir, '--env', service, 'render-config'], {
        label: 'render-config',
        log: quiet,
      });
      expect(result.code).toBe(0);
      return result.output;
    };
    // As the server's own loader reads them, each history process's file holds its own ports and not the other's.
    for (const [service, other] of [
      ['history-1', 'history-2'],
      ['history-2', 'history-1'],
    ] as const) {
      const output = await rendered(service);
      expect(output).toContain(`grpcPort: ${layout.services[service].grpc}`);
      expect(output).toContain(`membershipPort: ${layout.services[service].membership}`);
      expect(output).not.toContain(`grpcPort: ${layout.services[other].grpc}`);
      expect(output).not.toContain(`membershipPort: ${layout.services[other].membership}`);
    }
    expect(await rendered('frontend')).toContain('127.0.0.1:17004');
  });

  it('holds dynamic configuration the server accepts, with what the orchestrator relies on', async () => {
    const { server } = await ensureTemporalServer(quiet);
    writeFileSync(layout.dynamicConfigFile, dynamicConfigFile());
    const result = await runCommand(server, ['validate-dynamic-config', layout.dynamicConfigFile], {
      label: 'validate-dynamic-config',
      log: quiet,
    });
    expect(result.output).not.toMatch(/error|warning/i);
    expect(result.code).toBe(0);
    const values = JSON.parse(dynamicConfigFile()) as Record<string, Array<{ value: unknown }>>;
    expect(values['system.forceSearchAttributesCacheRefreshOnRead']).toEqual([{ value: true, constraints: {} }]);
    expect(values['frontend.enableExecuteMultiOperation']?.[0]?.value).toBe(true);
  });

  it('picks membership ports Temporal can store (a SMALLINT column: below 32768)', async () => {
    for (let i = 0; i < 20; i++) {
      const port = await freePortInRange(20_000, 32_767);
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThanOrEqual(32_767);
    }
  });
});

describe('the cluster fails loudly', () => {
  it('names the folder the postgres user cannot enter, and what to do', () => {
    chmodSync(dir, 0o711);
    const locked = join(dir, 'locked');
    const data = join(locked, 'cluster', 'postgres');
    mkdirSync(data, { recursive: true });
    chmodSync(locked, 0o700);
    // Another user than the folder's owner: what the postgres user is when we are root.
    const stranger = { uid: 65_534, gid: 65_534 };
    expect(() => assertTraversable(data, stranger)).toThrow(ToolSetupError);
    expect(() => assertTraversable(data, stranger)).toThrow(`cannot enter ${locked} (mode 700)`);
    expect(() => assertTraversable(data, stranger)).toThrow(`chmod o+x ${locked}`);
    chmodSync(locked, 0o711);
    expect(() => assertTraversable(data, stranger)).not.toThrow();
  });

  it('says how to install PostgreSQL when its binaries are not there', () =>
    withEnv('POSTGRES_BIN_DIR', join(dir, 'no-postgres'), () => {
      expect(() => postgresBinDir()).toThrow(ToolSetupError);
      expect(() => postgresBinDir()).toThrow(/apt-get install postgresql-15/);
    }));

  it('refuses a TEMPORAL_SERVER_BUILD without the server, the schema tool and the schemas', () =>
    withEnv('TEMPORAL_SERVER_BUILD', dir, async () => {
      await expect(ensureTemporalServer(quiet)).rejects.toThrow(ToolSetupError);
      await expect(ensureTemporalServer(quiet)).rejects.toThrow(/bin\/server, bin\/sql/);
    }));
});
