import type { WorkflowUpdateHandle } from '@temporalio/client';

/**
 * An accepted update's outcome if it arrives within `ms`, else undefined (the caller answers 202 and points at the
 * status). A refusal by the update's validator is its outcome at once, so it is raised here. Nobody awaits a later
 * outcome, so its failure (the workflow ended first) is caught rather than left an unhandled rejection.
 */
export async function outcomeWithin<T>(update: WorkflowUpdateHandle<T>, ms: number): Promise<T | undefined> {
  const result = update.result();
  result.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([result, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
