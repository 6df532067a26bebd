import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lastLines, runCommand } from '../run-command';
import { startService, stopProcess, waitForExit } from '../service-process';
import { isExecutable, ToolSetupError, type Log } from '../tools';

/** Debian's `postgresql-15`; $POSTGRES_BIN_DIR names another installation's bin folder. */
const defaultBinDir = '/usr/lib/postgresql/15/bin';

/** The role the Temporal services and the schema tool connect as; it owns the cluster (initdb's superuser). */
export const postgresUser = 'temporal';

export interface PostgresServer {
  /** The folder holding `data/`, `socket/` and the password: `<cluster dir>/postgres`. */
  dir: string;
  host: string;
  port: number;
  password: string;
  logFile: string;
  detached: boolean;
}

export function postgresBinDir(): string {
  const dir = process.env.POSTGRES_BIN_DIR ?? defaultBinDir;
  if (!isExecutable(join(dir, 'postgres')) || !isExecutable(join(dir, 'initdb'))) {
    throw new ToolSetupError(
      `PostgreSQL is not in ${dir}. Install it (Debian: apt-get install postgresql-15; the cluster runs its own ` +
        'server, not the system service) or set POSTGRES_BIN_DIR to the bin folder of PostgreSQL >= 12.',
    );
  }
  return dir;
}

export interface RunAs {
  uid?: number;
  gid?: number;
}

/**
 * PostgreSQL refuses to run as root: as root, it runs as the `postgres` user the Debian package created; otherwise
 * as ourselves.
 */
function postgresRunAs(): RunAs {
  if (process.getuid?.() !== 0) return {};
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    throw new ToolSetupError(
      'PostgreSQL refuses to run as root, and there is no `postgres` user to run it as. Create one ' +
        "(useradd --system postgres; Debian's postgresql package does) or run the stack as an ordinary user.",
    );
  }
}

/** Every folder above `path` must let the postgres user through, or the server cannot reach its data directory. */
export function assertTraversable(path: string, runAs: RunAs): void {
  if (runAs.uid === undefined) return;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const stats = statSync(dir);
    const allowed =
      stats.uid === runAs.uid ? stats.mode & 0o100 : stats.gid === runAs.gid ? stats.mode & 0o010 : stats.mode & 0o001;
    if (!allowed) {
      throw new ToolSetupError(
        `The postgres user cannot enter ${dir} (mode ${(stats.mode & 0o777).toString(8)}), so PostgreSQL cannot ` +
          `reach its data in ${path}. What to do: chmod o+x ${dir}, or put the project (or the test's temporary ` +
          'folder, TMPDIR) where every folder above it is searchable.',
      );
    }
    if (dir === dirname(dir)) return;
  }
}

/**
 * Creates the PostgreSQL cluster in `<dir>/data` unless it is there already, owned by whoever runs it. Returns the
 * password of the `temporal` role, kept in `<dir>/password` (readable only by its owner).
 */
export async function initPostgres(dir: string, log: Log): Promise<string> {
  const bin = postgresBinDir();
  const runAs = postgresRunAs();
  const dataDir = join(dir, 'data');
  const passwordFile = join(dir, 'password');
  mkdirSync(dir, { recursive: true });
  // Our own folder must be searchable by the postgres user (mkdtemp makes it 0700).
  chmodSync(dirname(dir), statSync(dirname(dir)).mode | 0o011);
  assertTraversable(dir, runAs);
  if (existsSync(join(dataDir, 'PG_VERSION')) && existsSync(passwordFile)) return readFileSync(passwordFile, 'utf8');

  rmSync(dataDir, { recursive: true, force: true });
  const password = randomBytes(18).toString('hex');
  mkdirSync(join(dir, 'socket'), { recursive: true });
  // initdb reads the password from a file; the postgres user must be able to read it, and nobody else.
  const initdbPasswordFile = join(dir, 'initdb-password');
  writeFileSync(initdbPasswordFile, `${password}\n`, { mode: 0o600 });
  if (runAs.uid !== undefined) {
    for (const path of [dir, join(dir, 'socket'), initdbPasswordFile]) chownSync(path, runAs.uid, runAs.gid!);
  }
  chmodSync(dir, 0o700);
  log(`creating a PostgreSQL cluster in ${dataDir}`);
  const result = await runCommand(
    join(bin, 'initdb'),
    [
      '--pgdata',
      dataDir,
      '--username',
      postgresUser,
      '--pwfile',
      initdbPasswordFile,
      // The socket folder is ours alone; over TCP (what Temporal uses) a password is required.
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--no-sync',
      '--no-instructions',
    ],
    { label: 'initdb', log, ...runAs },
  );
  rmSync(initdbPasswordFile, { force: true });
  if (result.code !== 0) {
    throw new ToolSetupError(`initdb failed (exit ${result.code}):\n${lastLines(result.output, 15)}`);
  }
  // Written after initdb succeeded: a data folder without it is a half-made cluster, made again next time.
  writeFileSync(passwordFile, password, { mode: 0o600 });
  return password;
}

/** PostgreSQL in the foreground (so its pid is the postmaster's), its output in `logFile`; resolves once it accepts connections. */
export function startPostgres(server: PostgresServer): Promise<ChildProcess> {
  const bin = postgresBinDir();
  return startService({
    name: 'PostgreSQL',
    command: join(bin, 'postgres'),
    args: [
      '-D',
      join(server.dir, 'data'),
      '-c',
      `listen_addresses=${server.host}`,
      '-c',
      `port=${server.port}`,
      '-c',
      `unix_socket_directories=${join(server.dir, 'socket')}`,
      // Five Temporal services with their own pools, and the schema tool.
      '-c',
      'max_connections=200',
      // A throwaway local cluster: no fsync on commit. A process crash (the fault tests' restart) loses nothing;
      // only a machine crash would.
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    logFile: server.logFile,
    detached: server.detached,
    isReady: () => postgresAccepts(server),
    readyTimeoutMs: 30_000,
    ...postgresRunAs(),
  });
}

/** `pg_isready`: the server accepts connections (it answers before authentication). */
export async function postgresAccepts(server: Pick<PostgresServer, 'host' | 'port'>): Promise<boolean> {
  const result = await runCommand(
    join(postgresBinDir(), 'pg_isready'),
    ['--quiet', '--host', server.host, '--port', String(server.port), '--timeout', '1'],
    { label: 'pg_isready', log: () => undefined },
  );
  return result.code === 0;
}

/**
 * Stops the postmaster and waits until it is gone: `fast` rolls back open transactions and shuts down cleanly
 * (SIGINT), `immediate` quits at once and recovers at the next start (SIGQUIT). SIGKILL to the process group if it
 * has not gone within the grace period.
 */
export async function stopPostgres(pid: number, mode: 'fast' | 'immediate' = 'fast', graceMs = 20_000): Promise<void> {
  stopProcess(pid, false, mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
  if (await waitForExit(pid, graceMs)) return;
  stopProcess(pid, true, 'SIGKILL');
  stopProcess(pid, false, 'SIGKILL');
  await waitForExit(pid, 5_000);
}

/** A query's rows as tab-separated fields, through psql over TCP as the `temporal` role. */
export async function psql(
  server: Pick<PostgresServer, 'host' | 'port' | 'password'>,
  database: string,
  sql: string,
): Promise<string[][]> {
  const result = await runCommand(
    join(postgresBinDir(), 'psql'),
    [
      '--no-psqlrc',
      '--quiet',
      '--tuples-only',
      '--no-align',
      '--field-separator=\t',
      '--set=ON_ERROR_STOP=1',
      '--host',
      server.host,
      '--port',
      String(server.port),
      '--username',
      postgresUser,
      '--dbname',
      database,
      '--command',
      sql,
    ],
    { label: 'psql', log: () => undefined, env: { ...process.env, PGPASSWORD: server.password } },
  );
  if (result.code !== 0) throw new Error(`psql failed (exit ${result.code}): ${lastLines(result.output, 5)}`);
  return result.output
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
}
