const httpStatusByErrorType = {
  ValidationException: 400,
  DuplicateReportNameException: 400,
  ReportLimitReachedException: 400,
  InternalErrorException: 500,
  SerializationException: 400,
  UnknownOperationException: 400,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 403,
} as const;

export type CurErrorType = keyof typeof httpStatusByErrorType;

/** An error the service answers with; its type becomes `__type`, which the SDK turns into its exception class. */
export class CurServiceError extends Error {
  readonly statusCode: number;

  constructor(
    readonly type: CurErrorType,
    message: string,
  ) {
    super(message);
    this.name = type;
    this.statusCode = httpStatusByErrorType[type];
  }
}

export function validationError(message: string): CurServiceError {
  return new CurServiceError('ValidationException', message);
}
