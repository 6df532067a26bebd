import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root: devstack/ sits directly below it. */
export const projectRoot = resolve(__dirname, '..');

/** Project-local, git-ignored: links to the tools this checkout uses. */
export const projectToolsDir = join(projectRoot, '.tools');

/** Project-local, git-ignored: state, logs and the SQLite file of `npm run stack`. */
export const stackDir = join(projectRoot, '.stack');

/** Per-user cache shared by every checkout, so a fresh clone does not rebuild the Temporal CLI or moto. */
export function userToolsCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'aws-install-orchestrator');
}
