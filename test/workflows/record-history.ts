import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { locateTemporalCli } from '../../devstack/tools';
import { stack } from '../helpers';

export const historiesDir = join(__dirname, 'histories');

/**
 * With RECORD_HISTORIES=1, saves a finished workflow's history as a replay fixture (the CLI's JSON, which is what
 * the replayer reads). Fixtures are recorded when the workflow changes compatibly, and committed; the replay test
 * then guards determinism.
 */
export async function recordHistoryIfAsked(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const json = execFileSync(locateTemporalCli()!, [
    'workflow',
    'show',
    '--address',
    stack.temporalAddress,
    '--workflow-id',
    handle.workflowId,
    '--output',
    'json',
  ]);
  writeFileSync(join(historiesDir, `${name}.json`), json);
}
