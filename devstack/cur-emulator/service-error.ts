import { serviceErrors } from '../aws-json/service-error';

/** The CUR model's own error types and their HTTP statuses (cur-2017-01-06). */
export const curError = serviceErrors({
  DuplicateReportNameException: 400,
  ReportLimitReachedException: 400,
  InternalErrorException: 500,
});
