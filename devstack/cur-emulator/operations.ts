import type { Operation } from '../aws-json/json-rpc-server';
import type { ReportStore } from './report-store';
import {
  readDeleteReportDefinitionRequest,
  readDescribeReportDefinitionsRequest,
  readModifyReportDefinitionRequest,
  readPutReportDefinitionRequest,
} from './request-validation';

/**
 * The operations of the installed SDK (3.332.0). ListTagsForResource, TagResource and UntagResource came later and
 * that client cannot call them, so they answer UnknownOperationException like any other name.
 */
export function curOperations(store: ReportStore): ReadonlyMap<string, Operation> {
  return new Map<string, Operation>([
    [
      'PutReportDefinition',
      (input) => {
        store.put(readPutReportDefinitionRequest(input).definition);
        return {};
      },
    ],
    [
      'DescribeReportDefinitions',
      (input) => ({ ...store.describe(readDescribeReportDefinitionsRequest(input).nextToken) }),
    ],
    [
      'ModifyReportDefinition',
      (input) => {
        const { reportName, definition } = readModifyReportDefinitionRequest(input);
        store.modify(reportName, definition);
        return {};
      },
    ],
    ['DeleteReportDefinition', (input) => store.delete(readDeleteReportDefinitionRequest(input).reportName)],
  ]);
}
