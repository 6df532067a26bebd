import type { JsonObject } from '../aws-json/service-error';
import { presentOnly, StructureReader } from '../aws-json/structure-reader';
import { checkCombinationRules } from './combination-rules';
import {
  additionalArtifacts,
  awsRegions,
  billingViewArnShape,
  compressionFormats,
  describePageSize,
  lastDeliveryShape,
  lastStatuses,
  nextTokenShape,
  reportFormats,
  reportNameShape,
  reportVersionings,
  s3BucketShape,
  s3PrefixShape,
  schemaElements,
  timeUnits,
  type ReportDefinition,
  type ReportStatus,
} from './model';

export function readPutReportDefinitionRequest(input: JsonObject): { definition: ReportDefinition } {
  const request = StructureReader.root(input);
  const members = readDefinitionMembers(request.structure('ReportDefinition', true));
  request.throwIfInvalid();
  const definition = members as ReportDefinition;
  checkCombinationRules(definition);
  return { definition };
}

export function readModifyReportDefinitionRequest(input: JsonObject): {
  reportName: string;
  definition: ReportDefinition;
} {
  const request = StructureReader.root(input);
  const reportName = request.string('ReportName', reportNameShape, true);
  const members = readDefinitionMembers(request.structure('ReportDefinition', true));
  request.throwIfInvalid();
  const definition = members as ReportDefinition;
  checkCombinationRules(definition);
  return { reportName: reportName!, definition };
}

export function readDeleteReportDefinitionRequest(input: JsonObject): { reportName: string } {
  const request = StructureReader.root(input);
  const reportName = request.string('ReportName', reportNameShape, true);
  request.throwIfInvalid();
  return { reportName: reportName! };
}

export function readDescribeReportDefinitionsRequest(input: JsonObject): { nextToken?: string } {
  const request = StructureReader.root(input);
  request.integer('MaxResults', { min: describePageSize, max: describePageSize });
  const nextToken = request.string('NextToken', nextTokenShape, false);
  request.throwIfInvalid();
  return nextToken === undefined ? {} : { nextToken };
}

/** The members present, and only those, so that Describe gives back exactly what the caller sent. */
function readDefinitionMembers(definition: StructureReader | undefined): Partial<ReportDefinition> {
  if (!definition) return {};
  const status = definition.structure('ReportStatus', false);
  return presentOnly({
    ReportName: definition.string('ReportName', reportNameShape, true),
    TimeUnit: definition.enumValue('TimeUnit', timeUnits, true),
    Format: definition.enumValue('Format', reportFormats, true),
    Compression: definition.enumValue('Compression', compressionFormats, true),
    AdditionalSchemaElements: definition.enumList('AdditionalSchemaElements', schemaElements, true),
    S3Bucket: definition.string('S3Bucket', s3BucketShape, true),
    S3Prefix: definition.string('S3Prefix', s3PrefixShape, true),
    S3Region: definition.enumValue('S3Region', awsRegions, true),
    AdditionalArtifacts: definition.enumList('AdditionalArtifacts', additionalArtifacts, false),
    RefreshClosedReports: definition.boolean('RefreshClosedReports'),
    ReportVersioning: definition.enumValue('ReportVersioning', reportVersionings, false),
    BillingViewArn: definition.string('BillingViewArn', billingViewArnShape, false),
    ReportStatus: status && readReportStatus(status),
  });
}

function readReportStatus(status: StructureReader): ReportStatus {
  return presentOnly({
    lastDelivery: status.string('lastDelivery', lastDeliveryShape, false),
    lastStatus: status.enumValue('lastStatus', lastStatuses, false),
  });
}
