import { validationError } from '../aws-json/service-error';
import type { ExportDefinition } from './model';
import { parseQueryStatement } from './query-statement';
import { columnsUnder, effectiveProperties, findTable, type DataExportsTable } from './tables';

/**
 * What AWS checks of an export beyond each member's shape, run after the shapes pass; answers the table the export
 * reads. A broken rule is a ValidationException, in AWS's words where a public report quotes them.
 */
export function checkExportRules(definition: ExportDefinition): DataExportsTable {
  const query = parseQueryStatement(definition.DataQuery.QueryStatement);
  const table = findTable(query.table);
  if (!table) throw validationError(`The table ${query.table} in the query statement does not exist`);

  const configurations = definition.DataQuery.TableConfigurations ?? {};
  for (const [tableName, properties] of Object.entries(configurations)) {
    // "The TableConfigurations is a collection of specified TableProperties for the table being queried in the
    // QueryStatement" (API reference, CreateExport).
    if (tableName !== table.name) {
      throw validationError(
        `TableConfigurations names the table ${tableName}, but the query statement reads ${table.name}`,
      );
    }
    checkTableProperties(table, properties);
  }

  const available = columnsUnder(table, effectiveProperties(table, configurations[table.name]));
  const fits = query.columns.every(({ column, attribute }) =>
    available.some((candidate) => candidate.name === column && (attribute === undefined || candidate.nested)),
  );
  // AWS's own words, quoted in hashicorp/terraform-provider-aws#37126 and #37854 (the latter for `discount` with
  // INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY=TRUE).
  if (!fits) throw validationError(`The columns in the query provided are not a subset of the table ${table.name}`);

  const { Format, Compression } = definition.DestinationConfigurations.S3Destination.S3OutputConfigurations;
  // The console offers two pairs only: Parquet files are Parquet-compressed, text/CSV files gzipped.
  if ((Format === 'PARQUET') !== (Compression === 'PARQUET')) {
    throw validationError(
      `Format ${Format} cannot be used with Compression ${Compression}: PARQUET goes only with PARQUET, ` +
        'TEXT_OR_CSV only with GZIP',
    );
  }
  return table;
}

/** Configurations a table has, with values it allows: for GetTable's TableProperties as for an export's. */
export function checkTableProperties(table: DataExportsTable, properties: Record<string, string>): void {
  for (const [name, value] of Object.entries(properties)) {
    const property = table.properties.find((candidate) => candidate.name === name);
    if (!property) {
      throw validationError(
        `${name} is not a table property of ${table.name}; its properties are ${table.properties.map((known) => known.name).join(', ')}`,
      );
    }
    if (!property.validValues.includes(value)) {
      throw validationError(
        `${value} is not a valid value of ${name} for ${table.name}; valid values are ${property.validValues.join(', ')}`,
      );
    }
  }
}

/**
 * The API offers no rename, and what AWS does with a differing name is undocumented, so the emulator refuses it, as it
 * refuses an Export.ExportArn that names another export. (AWS also refuses a change of table, "you cannot change the
 * selected table" (user guide, Data query); with one table here, no valid update can make one.)
 */
export function checkUpdateRules(exportArn: string, existing: ExportDefinition, updated: ExportDefinition): void {
  if (updated.Name !== existing.Name) {
    throw validationError(`Export.Name ${updated.Name} must equal the export's name ${existing.Name}`);
  }
  if (updated.ExportArn !== undefined && updated.ExportArn !== exportArn) {
    throw validationError(`Export.ExportArn ${updated.ExportArn} must equal ExportArn ${exportArn}`);
  }
}
