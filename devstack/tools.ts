import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import {
  accessSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { projectToolsDir, userToolsCacheDir } from './paths';
import { freePort } from './ports';
import { ServiceStartError, startService, stopProcessAndWait } from './service-process';
import { lastLines, runCommand } from './run-command';

/** The last Temporal CLI tag whose go.mod has no `replace` directive, so `go install pkg@version` works. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const MOTO_VERSION = '5.2.5';
/** The contract tests' fuzzer (test/contract/), in a virtualenv of its own beside moto's. */
export const SCHEMATHESIS_VERSION = '4.32.5';
/** The IAM policy linter (test/integration/policy-lint.test.ts), in a virtualenv of its own beside moto's. */
export const PARLIAMENT_VERSION = '1.6.4';
/** The Java SDK's time-skipping test server; the TypeScript SDK's own download of it needs the internet. */
export const TEMPORAL_TEST_SERVER_VERSION = '1.31.0';

export type Log = (line: string) => void;

export class ToolSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolSetupError';
  }
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function linkIntoProject(target: string, linkName: string): string {
  mkdirSync(projectToolsDir, { recursive: true });
  const link = join(projectToolsDir, linkName);
  if (existsSync(link) || isDanglingLink(link)) rmSync(link, { recursive: true, force: true });
  symlinkSync(target, link);
  return link;
}

function isDanglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * `go install`s `packages` into `gobin` (a per-user cache folder), failing loudly with Go's last output and what to
 * do. `expect` lists the binaries the build must leave there.
 */
export async function goInstall(options: {
  what: string;
  packages: string[];
  gobin: string;
  expect: string[];
  /** The way round a failed build, for the error message: "set X=/path/to/y". */
  orElse: string;
  log: Log;
}): Promise<void> {
  const go = findOnPath('go');
  if (!go) {
    throw new ToolSetupError(
      `${options.what} is not built and Go is not on PATH to build it. Install Go >= 1.25, or ${options.orElse}.`,
    );
  }
  mkdirSync(options.gobin, { recursive: true });
  options.log(`building ${options.what} with Go (first run only; takes a few minutes)...`);
  const result = await runCommand(go, ['install', ...options.packages], {
    env: { ...process.env, GOBIN: options.gobin, GOFLAGS: `${process.env.GOFLAGS ?? ''} -buildvcs=false`.trim() },
    label: `go install ${options.what}`,
    log: options.log,
  });
  if (result.code !== 0 || !options.expect.every(isExecutable)) {
    throw new ToolSetupError(
      `Building ${options.what} failed (go install exited ${result.code}). Last output:\n` +
        `${lastLines(result.output, 15)}\n` +
        'What to do: check that `go env GOPROXY` reaches a Go module proxy and Go is >= 1.25, ' +
        `or ${options.orElse}.`,
    );
  }
  options.log(`built ${options.expect.join(', ')}`);
}

/** Where the Temporal CLI is, without building it: $TEMPORAL_CLI, this checkout's .tools, then PATH. */
export function locateTemporalCli(): string | undefined {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new ToolSetupError(`TEMPORAL_CLI=${fromEnv} is not an executable file.`);
    return fromEnv;
  }
  const local = join(projectToolsDir, 'bin', 'temporal');
  if (isExecutable(local)) return local;
  return findOnPath('temporal');
}

/**
 * Returns a runnable Temporal CLI, building it with `go install` into the per-user cache the first time.
 * The SDK's own download of the dev server needs the internet; the Go module proxy is what we can reach.
 */
export async function ensureTemporalCli(log: Log): Promise<string> {
  const found = locateTemporalCli();
  if (found) return found;

  const cacheBin = join(userToolsCacheDir(), `temporal-cli-${TEMPORAL_CLI_VERSION}`);
  const cached = join(cacheBin, 'temporal');
  if (!isExecutable(cached)) {
    await goInstall({
      what: `the Temporal CLI ${TEMPORAL_CLI_VERSION}`,
      packages: [`github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`],
      gobin: cacheBin,
      expect: [cached],
      orElse: 'install the Temporal CLI yourself and set TEMPORAL_CLI=/path/to/temporal',
      log,
    });
  }
  mkdirSync(join(projectToolsDir, 'bin'), { recursive: true });
  return linkIntoProject(cached, join('bin', 'temporal'));
}

/**
 * Returns a launcher for Temporal's time-skipping test server (the Java SDK's `io.temporal.testserver.TestServer`,
 * from Maven Central), for workflow tests whose timers run for days: `TestWorkflowEnvironment.createTimeSkipping`
 * starts it with the port as its argument. Maven resolves the jars once into its own repository; the launcher, kept
 * in the per-user cache, holds their class path.
 */
export async function ensureTimeSkippingServer(log: Log): Promise<string> {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new ToolSetupError(`TEMPORAL_TEST_SERVER=${fromEnv} is not an executable file.`);
    return fromEnv;
  }
  const dir = join(userToolsCacheDir(), `temporal-test-server-${TEMPORAL_TEST_SERVER_VERSION}`);
  const launcher = join(dir, 'test-server');
  if (!isExecutable(launcher)) {
    const java = findOnPath('java');
    const mvn = findOnPath('mvn');
    if (!java || !mvn) {
      throw new ToolSetupError(
        'The time-skipping test server needs Java 11+ and Maven on PATH (Debian: apt-get install ' +
          'default-jdk-headless maven), or set TEMPORAL_TEST_SERVER=/path/to/a/launcher.',
      );
    }
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>` +
        `<groupId>local.tools</groupId><artifactId>temporal-test-server</artifactId><version>1</version>` +
        `<dependencies><dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId>` +
        `<version>${TEMPORAL_TEST_SERVER_VERSION}</version></dependency></dependencies></project>\n`,
    );
    log(`resolving Temporal's test server ${TEMPORAL_TEST_SERVER_VERSION} with Maven (first run only)...`);
    const classPathFile = join(dir, 'classpath.txt');
    const result = await runCommand(
      mvn,
      ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${classPathFile}`],
      { cwd: dir, label: 'mvn dependency:build-classpath', log },
    );
    if (result.code !== 0 || !existsSync(classPathFile)) {
      throw new ToolSetupError(
        `Maven could not resolve io.temporal:temporal-test-server:${TEMPORAL_TEST_SERVER_VERSION}:\n` +
          `${lastLines(result.output, 15)}\nWhat to do: check that mvn reaches Maven Central (~/.m2/settings.xml), ` +
          'or set TEMPORAL_TEST_SERVER.',
      );
    }
    await writeTestServerLauncher(dir, java, readFileSync(classPathFile, 'utf8').trim(), log);
  } else if (!readFileSync(launcher, 'utf8').includes('SharedArchiveFile')) {
    // A launcher cached before the class archive existed: archived and rewritten once.
    const java = findOnPath('java');
    const classPathFile = join(dir, 'classpath.txt');
    if (java && existsSync(classPathFile)) {
      await writeTestServerLauncher(dir, java, readFileSync(classPathFile, 'utf8').trim(), log);
    }
  }
  return linkIntoProject(launcher, 'temporal-test-server');
}

/**
 * The launcher of the time-skipping test server, with a class-data archive of the classes it loads to start (JDK 13+
 * dynamic CDS): the JVM maps them instead of loading and verifying them again, and listens in about 0.5 s instead of
 * 1.3-4 s on a busy 2-core machine. The SDK gives the server a fixed 5 s to listen (sdk-core's ephemeral server); a
 * whole test file failed on "did not start within 5s" while the cluster tests started beside it. Without an archive
 * (one could not be made) the launcher starts the server as before. Written last, so a half-made cache is never
 * taken for a finished one.
 */
async function writeTestServerLauncher(dir: string, java: string, classPath: string, log: Log): Promise<void> {
  const launcher = join(dir, 'test-server');
  const archive = join(dir, 'classes.jsa');
  const server = ['-cp', classPath, 'io.temporal.testserver.TestServer'];
  if (!existsSync(archive)) {
    log("archiving the time-skipping test server's classes (first run only)...");
    const made = `${archive}.${process.pid}.tmp`;
    const port = await freePort();
    try {
      const child = await startService({
        name: 'the time-skipping test server (class archive)',
        command: java,
        args: [`-XX:ArchiveClassesAtExit=${made}`, ...server, String(port)],
        logFile: join(dir, 'class-archive.log'),
        detached: false,
        isReady: () => portAnswers(port),
        readyTimeoutMs: 60_000,
      });
      // The archive is written as the JVM exits; SIGTERM runs its shutdown.
      await stopProcessAndWait(child.pid, false);
    } catch (error) {
      if (!(error instanceof ServiceStartError)) throw error;
    }
    if (existsSync(made)) renameSync(made, archive);
    else
      log(`the class archive could not be made (${join(dir, 'class-archive.log')}); the test server starts without it`);
  }
  const share = existsSync(archive) ? `-XX:SharedArchiveFile="${archive}" -Xshare:auto ` : '';
  writeFileSync(`${launcher}.tmp`, `#!/bin/sh\nexec "${java}" ${share}-cp "${classPath}" ${server[2]} "$@"\n`, {
    mode: 0o755,
  });
  renameSync(`${launcher}.tmp`, launcher);
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The Python that has moto installed, without installing it: $MOTO_PYTHON, then this checkout's .tools/moto venv.
 * moto is started through devstack/moto_server.py, which needs moto's own interpreter.
 */
export function locateMotoPython(): string | undefined {
  const fromEnv = process.env.MOTO_PYTHON;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new ToolSetupError(`MOTO_PYTHON=${fromEnv} is not an executable file.`);
    return fromEnv;
  }
  const local = join(projectToolsDir, 'moto', 'bin', 'python');
  return isExecutable(local) ? local : undefined;
}

function pythonVersionTag(python: string): string {
  return execFileSync(python, ['-c', 'import sys; print(f"py{sys.version_info[0]}.{sys.version_info[1]}")'])
    .toString()
    .trim();
}

/**
 * A virtualenv in the per-user cache with one pinned requirement, created the first time and linked into this
 * checkout's .tools/<name>. A venv cannot be moved (its scripts hold absolute paths), so completeness is marked
 * instead of renamed into place.
 */
async function ensurePinnedVenv(spec: {
  name: string;
  /** What pip installs, e.g. moto[server]. */
  pipPackage: string;
  version: string;
  python: string;
  log: Log;
  /** Appended to a failed pip install's message. */
  whatToDo: string;
}): Promise<string> {
  const { name, python, log } = spec;
  const requirement = `${spec.pipPackage}==${spec.version}`;
  const venv = join(userToolsCacheDir(), `${name}-${spec.version}-${pythonVersionTag(python)}`);
  const complete = join(venv, '.complete');
  if (!existsSync(complete)) {
    rmSync(venv, { recursive: true, force: true });
    log(`installing ${requirement} into a virtualenv (first run only)...`);
    const created = await runCommand(python, ['-m', 'venv', venv], { label: 'python3 -m venv', log });
    if (created.code !== 0) {
      throw new ToolSetupError(
        `Creating a virtualenv failed:\n${lastLines(created.output, 10)}\n` +
          'What to do: install the venv module (Debian: apt-get install python3-venv).',
      );
    }
    const installed = await runCommand(
      join(venv, 'bin', 'pip'),
      ['install', '--disable-pip-version-check', requirement],
      { label: `pip install ${name}`, log },
    );
    if (installed.code !== 0) {
      throw new ToolSetupError(
        `pip install ${requirement} failed:\n${lastLines(installed.output, 15)}\nWhat to do: ${spec.whatToDo}`,
      );
    }
    writeFileSync(complete, `${new Date().toISOString()}\n`);
  }
  linkIntoProject(venv, name);
  return join(projectToolsDir, name);
}

/** Returns a Python with moto, creating a pinned virtualenv in the per-user cache the first time. */
export async function ensureMotoPython(log: Log): Promise<string> {
  const found = locateMotoPython();
  if (found) return found;

  const python = findOnPath('python3');
  if (!python) throw new ToolSetupError('python3 is not on PATH; it is needed to run moto (the local AWS endpoint).');
  const linked = await ensurePinnedVenv({
    name: 'moto',
    pipPackage: 'moto[server]',
    version: MOTO_VERSION,
    python,
    log,
    whatToDo:
      'check that pip reaches a Python package index (pip config list), or set MOTO_PYTHON=/path/to/a/python/with/moto.',
  });
  return join(linked, 'bin', 'python');
}

/** schemathesis's `st` from this checkout's .tools link, or undefined when setup has not installed it. */
export function locateSchemathesis(): string | undefined {
  const local = join(projectToolsDir, 'schemathesis', 'bin', 'st');
  return isExecutable(local) ? local : undefined;
}

/** A pinned PyPI tool in a virtualenv of its own in the per-user cache, made the first time; returns `bin/<program>`. */
async function ensurePythonTool(
  tool: { name: string; version: string; program: string; neededFor: string },
  log: Log,
): Promise<string> {
  const python = findOnPath('python3');
  if (!python)
    throw new ToolSetupError(`python3 is not on PATH; it is needed to run ${tool.name} (${tool.neededFor}).`);
  const linked = await ensurePinnedVenv({
    name: tool.name,
    pipPackage: tool.name,
    version: tool.version,
    python,
    log,
    whatToDo: 'check that pip reaches a Python package index (pip config list).',
  });
  return join(linked, 'bin', tool.program);
}

/** Returns schemathesis's `st`, creating a pinned virtualenv in the per-user cache (beside moto's) the first time. */
export function ensureSchemathesis(log: Log): Promise<string> {
  return ensurePythonTool(
    { name: 'schemathesis', version: SCHEMATHESIS_VERSION, program: 'st', neededFor: 'contract tests' },
    log,
  );
}

/** parliament's Python from this checkout's .tools link, or undefined when setup has not installed it. */
export function locateParliamentPython(): string | undefined {
  const local = join(projectToolsDir, 'parliament', 'bin', 'python');
  return isExecutable(local) ? local : undefined;
}

/** Returns a Python with parliament (an IAM policy linter), creating a pinned virtualenv the first time. */
export function ensureParliamentPython(log: Log): Promise<string> {
  return ensurePythonTool(
    { name: 'parliament', version: PARLIAMENT_VERSION, program: 'python', neededFor: 'the policy lint' },
    log,
  );
}

/**
 * Chromium for the browser test of the Temporal UI: $CHROMIUM_PATH, the system's, or Debian's package installed
 * with apt-get (as root). Test tools' own browser downloads need the internet; the distribution's package does not.
 */
export async function ensureChromium(log: Log): Promise<string> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new ToolSetupError(`CHROMIUM_PATH=${fromEnv} is not an executable file.`);
    return fromEnv;
  }
  const found = findOnPath('chromium') ?? findOnPath('chromium-browser') ?? findOnPath('google-chrome');
  if (found) return found;
  const aptGet = findOnPath('apt-get');
  if (!aptGet || process.getuid?.() !== 0) {
    throw new ToolSetupError(
      'Chromium is needed for the Temporal UI browser test. Install it (Debian: apt-get install chromium) or set ' +
        'CHROMIUM_PATH=/path/to/chromium.',
    );
  }
  log('installing Chromium from the distribution (first run only)...');
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', 'chromium'],
  ]) {
    const result = await runCommand(aptGet, args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      label: `apt-get ${args[0]}`,
      log,
    });
    if (result.code !== 0) {
      throw new ToolSetupError(
        `apt-get ${args.join(' ')} failed:\n${lastLines(result.output, 15)}\nOr set CHROMIUM_PATH.`,
      );
    }
  }
  const installed = findOnPath('chromium');
  if (!installed)
    throw new ToolSetupError('apt-get installed chromium, but no chromium is on PATH; set CHROMIUM_PATH.');
  return installed;
}
