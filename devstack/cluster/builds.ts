import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userToolsCacheDir } from '../paths';
import { findOnPath, goInstall, isExecutable, ToolSetupError, type Log } from '../tools';

/** The server the CLI's dev server embeds (TEMPORAL_CLI_VERSION); its go.mod has no `replace`, so `go install` works. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
/** The UI server the same CLI embeds. */
export const TEMPORAL_UI_SERVER_VERSION = 'v2.42.1';

/** Where the schema tool finds the PostgreSQL schemas, below a server build: `<build>/schema/postgresql/v12/...`. */
const postgresSchemaPath = join('schema', 'postgresql', 'v12');

export interface TemporalServerBuild {
  /** `server --config ... start --service <name>`: one binary for every service. */
  server: string;
  /** `temporal-sql-tool`: creates the databases and applies the versioned schemas. */
  sqlTool: string;
  /** Holds `temporal/versioned` and `visibility/versioned`, copied from the module the build came from. */
  postgresSchemaDir: string;
}

function buildIn(dir: string): TemporalServerBuild {
  return {
    server: join(dir, 'bin', 'server'),
    sqlTool: join(dir, 'bin', 'sql'),
    postgresSchemaDir: join(dir, postgresSchemaPath),
  };
}

function isComplete(build: TemporalServerBuild): boolean {
  return (
    isExecutable(build.server) &&
    isExecutable(build.sqlTool) &&
    existsSync(join(build.postgresSchemaDir, 'temporal', 'versioned')) &&
    existsSync(join(build.postgresSchemaDir, 'visibility', 'versioned'))
  );
}

/**
 * A Temporal server build (server, SQL schema tool, PostgreSQL schemas), built with `go install` into the per-user
 * cache the first time, like the CLI. $TEMPORAL_SERVER_BUILD names a folder of the same shape instead
 * (`bin/server`, `bin/sql`, `schema/postgresql/v12`).
 */
export async function ensureTemporalServer(log: Log): Promise<TemporalServerBuild> {
  const fromEnv = process.env.TEMPORAL_SERVER_BUILD;
  if (fromEnv) {
    const build = buildIn(fromEnv);
    if (!isComplete(build)) {
      throw new ToolSetupError(
        `TEMPORAL_SERVER_BUILD=${fromEnv} must hold bin/server, bin/sql and ${postgresSchemaPath}/{temporal,visibility}/versioned.`,
      );
    }
    return build;
  }
  const dir = join(userToolsCacheDir(), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  const build = buildIn(dir);
  if (isComplete(build)) return build;

  const module = `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`;
  const orElse = 'set TEMPORAL_SERVER_BUILD=/path/to/a/folder with bin/server, bin/sql and the schema folder';
  if (!isExecutable(build.server) || !isExecutable(build.sqlTool)) {
    await goInstall({
      what: `the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL schema tool`,
      packages: [
        `go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}`,
        `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
      ],
      gobin: join(dir, 'bin'),
      expect: [build.server, build.sqlTool],
      orElse,
      log,
    });
  }
  // The schema tool embeds the initial schemas but not PostgreSQL's versioned updates: they come from the module the
  // build was made of, copied so a later `go clean -modcache` does not break the cache.
  const moduleDir = join(goEnv('GOMODCACHE', orElse), module);
  const source = join(moduleDir, postgresSchemaPath);
  if (!existsSync(source)) {
    throw new ToolSetupError(
      `The Go module cache has no ${source} (the build should have downloaded ${module}). ` +
        `What to do: run \`go mod download ${module}\`, or ${orElse}.`,
    );
  }
  const staging = `${build.postgresSchemaDir}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  copyWritable(source, staging);
  rmSync(build.postgresSchemaDir, { recursive: true, force: true });
  renameSync(staging, build.postgresSchemaDir);
  return build;
}

/** Copies a tree without the module cache's read-only modes, so the copy can be replaced later. */
function copyWritable(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) copyWritable(join(from, entry.name), join(to, entry.name));
    else if (entry.isFile()) writeFileSync(join(to, entry.name), readFileSync(join(from, entry.name)));
  }
}

function goEnv(name: string, orElse: string): string {
  const go = findOnPath('go');
  if (!go) throw new ToolSetupError(`Go is not on PATH to find ${name}; install Go >= 1.25, or ${orElse}.`);
  return execFileSync(go, ['env', name]).toString().trim();
}

/**
 * The Temporal UI server (`github.com/temporalio/ui-server/v2`, the version the CLI embeds, assets included), built
 * with `go install` into the per-user cache the first time; $TEMPORAL_UI_SERVER names another binary.
 */
export async function ensureTemporalUiServer(log: Log): Promise<string> {
  const fromEnv = process.env.TEMPORAL_UI_SERVER;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new ToolSetupError(`TEMPORAL_UI_SERVER=${fromEnv} is not an executable file.`);
    return fromEnv;
  }
  const dir = join(userToolsCacheDir(), `temporal-ui-server-${TEMPORAL_UI_SERVER_VERSION}`);
  const binary = join(dir, 'server');
  if (!isExecutable(binary)) {
    await goInstall({
      what: `the Temporal UI server ${TEMPORAL_UI_SERVER_VERSION}`,
      packages: [`github.com/temporalio/ui-server/v2/cmd/server@${TEMPORAL_UI_SERVER_VERSION}`],
      gobin: dir,
      expect: [binary],
      orElse: 'set TEMPORAL_UI_SERVER=/path/to/the/ui-server binary',
      log,
    });
  }
  return binary;
}
