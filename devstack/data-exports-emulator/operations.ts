import type { Operation } from '../aws-json/json-rpc-server';
import { decodePageToken, pageOf } from '../aws-json/page-token';
import { validationError, type JsonObject } from '../aws-json/service-error';
import { dataExportsError } from './errors';
import { checkExportRules, checkTableProperties, checkUpdateRules } from './export-rules';
import type { ExportStore } from './export-store';
import { defaultPageSize } from './model';
import {
  readCreateExportRequest,
  readExportArnRequest,
  readGetExecutionRequest,
  readGetTableRequest,
  readListExecutionsRequest,
  readListTagsForResourceRequest,
  readPageRequest,
  readTagResourceRequest,
  readUntagResourceRequest,
  readUpdateExportRequest,
} from './request-validation';
import { columnsUnder, dataExportsTables, effectiveProperties, findTable } from './tables';

/** The operations of the installed SDK (3.965.0), which are all the model has. */
export function dataExportsOperations(store: ExportStore): ReadonlyMap<string, Operation> {
  return new Map<string, Operation>([
    [
      'CreateExport',
      (input) => {
        const { definition, tags } = readCreateExportRequest(input);
        const table = checkExportRules(definition);
        return { ExportArn: store.create(definition, table, tags) };
      },
    ],
    ['GetExport', (input) => store.describe(readExportArnRequest(input).exportArn)],
    ['ListExports', (input) => listExports(store, input)],
    [
      'UpdateExport',
      (input) => {
        const { exportArn, definition } = readUpdateExportRequest(input);
        checkUpdateRules(exportArn, store.current(exportArn), definition);
        checkExportRules(definition);
        store.update(exportArn, definition);
        return { ExportArn: exportArn };
      },
    ],
    [
      'DeleteExport',
      (input) => {
        const { exportArn } = readExportArnRequest(input);
        store.delete(exportArn);
        return { ExportArn: exportArn };
      },
    ],
    [
      'GetExecution',
      (input) => {
        const { exportArn, executionId } = readGetExecutionRequest(input);
        store.current(exportArn);
        // The emulator delivers nothing, so no export has an execution to show.
        throw dataExportsError('ResourceNotFoundException', `Execution ${executionId} does not exist`, {
          ResourceId: executionId,
          ResourceType: 'Execution',
        });
      },
    ],
    [
      'ListExecutions',
      (input) => {
        const { exportArn, nextToken } = readListExecutionsRequest(input);
        store.current(exportArn);
        if (nextToken !== undefined) decodePageToken(nextToken);
        return { Executions: [] };
      },
    ],
    ['ListTables', (input) => listTables(input)],
    ['GetTable', (input) => getTable(input)],
    [
      'TagResource',
      (input) => {
        const { resourceArn, tags } = readTagResourceRequest(input);
        store.tag(resourceArn, tags);
        return {};
      },
    ],
    [
      'UntagResource',
      (input) => {
        const { resourceArn, keys } = readUntagResourceRequest(input);
        store.untag(resourceArn, keys);
        return {};
      },
    ],
    [
      'ListTagsForResource',
      (input) => {
        const { resourceArn, maxResults, nextToken } = readListTagsForResourceRequest(input);
        return store.listTags(resourceArn, nextToken, maxResults ?? defaultPageSize);
      },
    ],
  ]);
}

function listExports(store: ExportStore, input: JsonObject): JsonObject {
  const { maxResults, nextToken } = readPageRequest(input);
  return store.list(nextToken, maxResults ?? defaultPageSize);
}

function listTables(input: JsonObject): JsonObject {
  const { maxResults, nextToken } = readPageRequest(input);
  const numbered = dataExportsTables.map((table, index) => ({ sequence: index + 1, table }));
  const { page, nextToken: following } = pageOf(numbered, nextToken, maxResults ?? defaultPageSize);
  return {
    Tables: page.map(({ table }) => ({
      TableName: table.name,
      Description: table.description,
      TableProperties: table.properties.map((property) => ({
        Name: property.name,
        ValidValues: [...property.validValues],
        DefaultValue: property.defaultValue,
        Description: property.description,
      })),
    })),
    ...(following === undefined ? {} : { NextToken: following }),
  };
}

/** The table's schema under the given properties, and every property's value, defaults filled in. */
function getTable(input: JsonObject): JsonObject {
  const { tableName, tableProperties } = readGetTableRequest(input);
  const table = findTable(tableName);
  // GetTable's model has no ResourceNotFoundException.
  if (!table) throw validationError(`The table ${tableName} does not exist`);
  checkTableProperties(table, tableProperties);
  const properties = effectiveProperties(table, tableProperties);
  return {
    TableName: table.name,
    Description: table.description,
    TableProperties: properties,
    Schema: columnsUnder(table, properties).map((column) => ({ Name: column.name, Type: column.type })),
  };
}
