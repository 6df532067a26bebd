export type JsonObject = Record<string, unknown>;

/**
 * The errors every awsJson1_1 endpoint answers the same way, whatever the service: AWS's front door sends them before
 * (or instead of) running an operation.
 */
const commonErrorStatuses = {
  ValidationException: 400,
  SerializationException: 400,
  UnknownOperationException: 400,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 403,
} as const;

export type CommonErrorType = keyof typeof commonErrorStatuses;

/**
 * An error the service answers with; its type becomes `__type`, which the SDK turns into its exception class, and
 * `members` are the exception's other modelled members (ResourceId, QuotaCode...), sent beside `Message`.
 */
export class AwsServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode: number,
    readonly members: JsonObject = {},
  ) {
    super(message);
    this.name = type;
  }
}

export function commonError(type: CommonErrorType, message: string): AwsServiceError {
  return new AwsServiceError(type, message, commonErrorStatuses[type]);
}

export function validationError(message: string): AwsServiceError {
  return commonError('ValidationException', message);
}

/**
 * A service's own error types with the HTTP status its model gives each (`"error": {"httpStatusCode": ...}` in
 * botocore, `smithy.api#httpError` in Smithy), so that a misspelt type fails to compile.
 *
 * @example
 * const curError = serviceErrors({ DuplicateReportNameException: 400 });
 * throw curError('DuplicateReportNameException', 'A report with the name x already exists');
 */
export function serviceErrors<Statuses extends Readonly<Record<string, number>>>(statuses: Statuses) {
  return (type: keyof Statuses & string, message: string, members: JsonObject = {}): AwsServiceError =>
    new AwsServiceError(type, message, statuses[type]!, members);
}
