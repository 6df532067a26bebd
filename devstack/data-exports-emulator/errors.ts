import { serviceErrors } from '../aws-json/service-error';

/** The Data Exports model's error types the emulator answers, with their HTTP statuses (`smithy.api#httpError`). */
export const dataExportsError = serviceErrors({
  ValidationException: 400,
  ResourceNotFoundException: 404,
  ServiceQuotaExceededException: 402,
  InternalServerException: 500,
});
