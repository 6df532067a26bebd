import { ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';

export interface FailureSummary {
  code: string;
  message: string;
  awsErrorCode?: string;
}

/** The innermost ApplicationFailure (an activity's own error) or timeout, in a form the status can carry. */
export function summarizeFailure(error: unknown): FailureSummary {
  let current: unknown = error;
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure) {
      const details = current.details?.[0] as { awsErrorCode?: string } | undefined;
      return { code: current.type ?? 'Error', message: current.message, awsErrorCode: details?.awsErrorCode };
    }
    if (current instanceof TimeoutFailure && !(current.cause instanceof ApplicationFailure)) {
      return { code: 'Timeout', message: current.message };
    }
    current = current.cause;
  }
  return { code: 'Error', message: error instanceof Error ? error.message : String(error) };
}
