import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  output: string;
}

/**
 * Runs a command to completion, keeping the tail of its output for error messages and printing
 * "still running" lines so a minutes-long first build never looks hung.
 */
export function runCommand(
  command: string,
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    label: string;
    log: (line: string) => void;
    /** Run as this user and group; needs root. */
    uid?: number;
    gid?: number;
  },
): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      uid: options.uid,
      gid: options.gid,
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const ticker = setInterval(() => {
      const seconds = Math.round((Date.now() - started) / 1000);
      options.log(`${options.label}: still running (${seconds}s)`);
    }, 20_000);
    child.on('error', (error) => {
      clearInterval(ticker);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(ticker);
      resolvePromise({ code, output });
    });
  });
}

export function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
