import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type AwsResourceKind = 'roles' | 'stacks' | 'buckets' | 'reports';

/**
 * The zero-latency AWS's resources (roles, stacks, buckets, report definitions), shared by every worker process of a
 * run: one small JSON file per resource in a directory (tmpfs when the machine has one). An activity may run on
 * another process than the one that created its stack or bucket; a file written before the SDK call returns is
 * seen by every later read in any process, with a few microseconds of system calls and no server in between.
 *
 * @example
 * const state = new SharedAwsState(sharedAwsStateDir(runId, tmpdir()));
 * state.write('stacks', 'install-abc', 'CREATE_COMPLETE');
 * state.read<string>('stacks', 'install-abc'); // 'CREATE_COMPLETE', from this process or another
 */
export class SharedAwsState {
  constructor(readonly dir: string) {
    for (const kind of ['roles', 'stacks', 'buckets', 'reports'] satisfies AwsResourceKind[]) {
      mkdirSync(join(dir, kind), { recursive: true });
    }
  }

  read<T>(kind: AwsResourceKind, name: string): T | undefined {
    try {
      return JSON.parse(readFileSync(this.file(kind, name), 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Written whole and renamed into place, so a reader in another process never sees half a resource. */
  write(kind: AwsResourceKind, name: string, value: unknown): void {
    const file = this.file(kind, name);
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify(value));
    renameSync(partial, file);
  }

  remove(kind: AwsResourceKind, name: string): void {
    rmSync(this.file(kind, name), { force: true });
  }

  list<T>(kind: AwsResourceKind): T[] {
    return readdirSync(join(this.dir, kind))
      .filter((entry) => entry.endsWith('.json'))
      .flatMap((entry) => {
        const value = this.read<T>(kind, decodeURIComponent(entry.slice(0, -'.json'.length)));
        return value === undefined ? [] : [value];
      });
  }

  private file(kind: AwsResourceKind, name: string): string {
    return join(this.dir, kind, `${encodeURIComponent(name)}.json`);
  }
}

/** A fresh directory for one run's resources: in memory (/dev/shm) where the machine has it. */
export function sharedAwsStateDir(runId: string, tmpRoot: string): string {
  const root = existsSync('/dev/shm') ? '/dev/shm' : tmpRoot;
  const dir = join(root, `bench-aws-${runId}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
