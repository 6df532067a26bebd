import { ApplicationFailure } from '@temporalio/common';

/** What we keep of an AWS error in workflow history: enough to act on, no request payloads. */
export interface AwsErrorDetails {
  awsErrorCode: string;
  operation: string;
  httpStatus?: number;
  requestId?: string;
}

interface SdkErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $retryable?: unknown;
}

export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const shaped = error as SdkErrorShape;
  return shaped.Code ?? shaped.name ?? shaped.code;
}

export function awsErrorDetails(error: unknown, operation: string): AwsErrorDetails {
  const shaped = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  return {
    awsErrorCode: awsErrorCode(error) ?? 'Unknown',
    operation,
    httpStatus: shaped.$metadata?.httpStatusCode,
    requestId: shaped.$metadata?.requestId,
  };
}

const throttlingCodes = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
]);

const transientCodes = new Set([
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalFailure',
  'InternalErrorException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'IDPCommunicationError',
  'ExpiredToken',
  'ExpiredTokenException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * Throttling, 5xx, expired session credentials (re-assumed on retry) and network faults: worth retrying. So is an
 * error on a 2xx answer: AWS said yes and the SDK could not read the body ("XML parse error", "Deserialization
 * error"), which is a connection cut mid-answer, not a refusal; every activity is an idempotent unit, so asking again
 * is safe. The fault suite met it: a dropped connection during the preflight's GetRole failed the install for good.
 */
export function isTransientAwsError(error: unknown): boolean {
  const code = awsErrorCode(error);
  if (code && (throttlingCodes.has(code) || transientCodes.has(code))) return true;
  const status = (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
  return status !== undefined && (status >= 500 || (status >= 200 && status < 300));
}

/**
 * Turns an AWS error into what Temporal should do with it: transient ones are rethrown as they are (the
 * activity's retry policy retries them), every other AWS error is permanent and becomes a non-retryable
 * ApplicationFailure whose type is the AWS error code. Non-AWS errors (bugs) are rethrown unchanged.
 */
export function rethrowAwsError(error: unknown, operation: string): never {
  if (error instanceof ApplicationFailure) throw error;
  const status = (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
  if (isTransientAwsError(error) || status === undefined) throw error;
  const details = awsErrorDetails(error, operation);
  const message = error instanceof Error ? error.message : String(error);
  throw ApplicationFailure.nonRetryable(
    `${operation} failed: ${details.awsErrorCode}: ${message}`,
    details.awsErrorCode,
    details,
  );
}

/** Runs one AWS call and classifies its failure (see rethrowAwsError). */
export async function callAws<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    rethrowAwsError(error, operation);
  }
}
