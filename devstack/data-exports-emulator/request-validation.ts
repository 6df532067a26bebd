import { validationError, type JsonObject } from '../aws-json/service-error';
import { presentOnly, StructureReader } from '../aws-json/structure-reader';
import {
  accountIdShape,
  arnShape,
  compressionOptions,
  exportNameShape,
  formatOptions,
  frequencyOptions,
  genericStringShape,
  maxResultsRange,
  nextPageTokenShape,
  overwriteOptions,
  queryStatementShape,
  resourceTagKeyShape,
  resourceTagListLength,
  resourceTagValueShape,
  s3OutputTypes,
  tableNameShape,
  tablePropertyShape,
  tablePropertyValueShape,
  type ExportDefinition,
  type ResourceTag,
} from './model';

export interface PageRequest {
  maxResults?: number;
  nextToken?: string;
}

export function readCreateExportRequest(input: JsonObject): { definition: ExportDefinition; tags: ResourceTag[] } {
  const request = StructureReader.root(input);
  const definition = readExport(request.structure('Export', true));
  const tags = readTags(request, false);
  request.throwIfInvalid();
  return { definition: definition as ExportDefinition, tags: distinctKeys(tags ?? []) };
}

export function readUpdateExportRequest(input: JsonObject): { exportArn: string; definition: ExportDefinition } {
  const request = StructureReader.root(input);
  const exportArn = request.string('ExportArn', arnShape, true);
  const definition = readExport(request.structure('Export', true));
  request.throwIfInvalid();
  return { exportArn: exportArn!, definition: definition as ExportDefinition };
}

/** GetExport and DeleteExport. */
export function readExportArnRequest(input: JsonObject): { exportArn: string } {
  const request = StructureReader.root(input);
  const exportArn = request.string('ExportArn', arnShape, true);
  request.throwIfInvalid();
  return { exportArn: exportArn! };
}

/** ListExports and ListTables. */
export function readPageRequest(input: JsonObject): PageRequest {
  const request = StructureReader.root(input);
  const page = readPage(request);
  request.throwIfInvalid();
  return page;
}

export function readGetExecutionRequest(input: JsonObject): { exportArn: string; executionId: string } {
  const request = StructureReader.root(input);
  const exportArn = request.string('ExportArn', arnShape, true);
  const executionId = request.string('ExecutionId', genericStringShape, true);
  request.throwIfInvalid();
  return { exportArn: exportArn!, executionId: executionId! };
}

export function readListExecutionsRequest(input: JsonObject): PageRequest & { exportArn: string } {
  const request = StructureReader.root(input);
  const exportArn = request.string('ExportArn', arnShape, true);
  const page = readPage(request);
  request.throwIfInvalid();
  return { exportArn: exportArn!, ...page };
}

export function readGetTableRequest(input: JsonObject): { tableName: string; tableProperties: Record<string, string> } {
  const request = StructureReader.root(input);
  const tableName = request.string('TableName', tableNameShape, true);
  const tableProperties = request.stringMap('TableProperties', tablePropertyShape, tablePropertyValueShape, false);
  request.throwIfInvalid();
  return { tableName: tableName!, tableProperties: tableProperties ?? {} };
}

export function readTagResourceRequest(input: JsonObject): { resourceArn: string; tags: ResourceTag[] } {
  const request = StructureReader.root(input);
  const resourceArn = request.string('ResourceArn', arnShape, true);
  const tags = readTags(request, true);
  request.throwIfInvalid();
  return { resourceArn: resourceArn!, tags: distinctKeys(tags!) };
}

export function readUntagResourceRequest(input: JsonObject): { resourceArn: string; keys: string[] } {
  const request = StructureReader.root(input);
  const resourceArn = request.string('ResourceArn', arnShape, true);
  const keys = request.stringList('ResourceTagKeys', resourceTagKeyShape, true, resourceTagListLength);
  request.throwIfInvalid();
  return { resourceArn: resourceArn!, keys: keys! };
}

export function readListTagsForResourceRequest(input: JsonObject): PageRequest & { resourceArn: string } {
  const request = StructureReader.root(input);
  const resourceArn = request.string('ResourceArn', arnShape, true);
  const page = readPage(request);
  request.throwIfInvalid();
  return { resourceArn: resourceArn!, ...page };
}

function readPage(request: StructureReader): PageRequest {
  return presentOnly({
    maxResults: request.integer('MaxResults', maxResultsRange),
    nextToken: request.string('NextToken', nextPageTokenShape, false),
  });
}

/** The members present, and only those, so that GetExport gives back exactly what the caller sent. */
function readExport(reader: StructureReader | undefined): Partial<ExportDefinition> {
  if (!reader) return {};
  const dataQuery = reader.structure('DataQuery', true);
  const destinations = reader.structure('DestinationConfigurations', true);
  const s3Destination = destinations?.structure('S3Destination', true);
  const refreshCadence = reader.structure('RefreshCadence', true);
  return presentOnly({
    ExportArn: reader.string('ExportArn', arnShape, false),
    Name: reader.string('Name', exportNameShape, true),
    Description: reader.string('Description', genericStringShape, false),
    DataQuery: dataQuery && readDataQuery(dataQuery),
    DestinationConfigurations:
      destinations && presentOnly({ S3Destination: s3Destination && readS3Destination(s3Destination) }),
    RefreshCadence:
      refreshCadence && presentOnly({ Frequency: refreshCadence.enumValue('Frequency', frequencyOptions, true) }),
  }) as Partial<ExportDefinition>;
}

function readDataQuery(dataQuery: StructureReader) {
  return presentOnly({
    QueryStatement: dataQuery.string('QueryStatement', queryStatementShape, true),
    TableConfigurations: dataQuery.mapOfStringMaps(
      'TableConfigurations',
      tableNameShape,
      tablePropertyShape,
      tablePropertyValueShape,
      false,
    ),
  });
}

function readS3Destination(destination: StructureReader) {
  const outputs = destination.structure('S3OutputConfigurations', true);
  return presentOnly({
    S3Bucket: destination.string('S3Bucket', genericStringShape, true),
    S3BucketOwner: destination.string('S3BucketOwner', accountIdShape, false),
    S3Prefix: destination.string('S3Prefix', genericStringShape, true),
    S3Region: destination.string('S3Region', genericStringShape, true),
    S3OutputConfigurations:
      outputs &&
      presentOnly({
        OutputType: outputs.enumValue('OutputType', s3OutputTypes, true),
        Format: outputs.enumValue('Format', formatOptions, true),
        Compression: outputs.enumValue('Compression', compressionOptions, true),
        Overwrite: outputs.enumValue('Overwrite', overwriteOptions, true),
      }),
  });
}

function readTags(request: StructureReader, required: boolean): ResourceTag[] | undefined {
  return request.structureList('ResourceTags', required, resourceTagListLength)?.map(
    (tag) =>
      ({
        Key: tag.string('Key', resourceTagKeyShape, true),
        Value: tag.string('Value', resourceTagValueShape, true),
      }) as ResourceTag,
  );
}

/** "Each tag consists of a key and a value, and each key must be unique for the resource" (the model). */
function distinctKeys(tags: ResourceTag[]): ResourceTag[] {
  const keys = tags.map((tag) => tag.Key);
  const repeated = keys.filter((key, index) => keys.indexOf(key) !== index);
  if (repeated.length > 0) throw validationError(`Tag keys must be unique: ${[...new Set(repeated)].join(', ')}`);
  return tags;
}
