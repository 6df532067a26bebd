import { isGrpcServiceError } from '@temporalio/client';

/**
 * Codes with which Temporal says "not now" rather than "no": its deadline passed (a query waits on a worker that is
 * busy or gone), it is unreachable, or it is shedding load. The caller should retry; nothing about the request was
 * wrong, and nothing was lost.
 */
const retryableCodes = new Set<number>([
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED
  14, // UNAVAILABLE
]);

/** Whether the error, or one of its causes, is Temporal answering "not now". */
export function isTemporalUnavailable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 8; depth += 1) {
    if (isGrpcServiceError(cause) && retryableCodes.has(cause.code)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
