import { ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { explainError } from '../domain/error-catalog';
import type { InstallError, StepName } from './definitions';

export interface FailureSummary {
  code: string;
  message: string;
  awsErrorCode?: string;
  /** The AWS operation that failed, when an AWS call did (e.g. `s3:PutBucketPolicy`). */
  operation?: string;
}

/** The innermost ApplicationFailure (an activity's own error) or timeout, in a form the status can carry. */
export function summarizeFailure(error: unknown): FailureSummary {
  let current: unknown = error;
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure) {
      const details = current.details?.[0] as { awsErrorCode?: string; operation?: string } | undefined;
      return {
        code: current.type ?? 'Error',
        message: current.message,
        awsErrorCode: details?.awsErrorCode,
        operation: details?.operation,
      };
    }
    if (current instanceof TimeoutFailure && !(current.cause instanceof ApplicationFailure)) {
      return { code: 'Timeout', message: current.message };
    }
    current = current.cause;
  }
  return { code: 'Error', message: error instanceof Error ? error.message : String(error) };
}

/** A failure as the status shows it: the catalog's stable code, cause and fix beside AWS's own words. */
export function describeFailure(failure: FailureSummary, step?: StepName): Omit<InstallError, 'at'> {
  const { code, cause, fix } = explainError({ ...failure, step });
  return { ...failure, code, cause, fix, ...(step ? { step } : {}) };
}
