import { validationError } from '../aws-json/service-error';

/** One item of the SELECT list: `column`, `column.attribute` (a MAP or STRUCT key), either with `AS alias`. */
export interface SelectedColumn {
  column: string;
  attribute?: string;
  alias?: string;
}

export interface QueryStatement {
  table: string;
  columns: SelectedColumn[];
}

// "SELECT <column_name_a>, <column_name_b>.<attribute_name> AS <new_name>, ... FROM <TABLE_NAME>
// [ WHERE <column_name> OPERATOR <value> AND|OR ... ] [ LIMIT number ]"; "Keywords are case insensitive. Column
// names and table names are case sensitive." (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-data-query.html)
const statementSyntax = /^SELECT\s+([\s\S]+?)\s+FROM\s+(\S+)(?:\s+WHERE\s+([\s\S]+?))?(?:\s+LIMIT\s+(\d+))?$/i;
const selectedColumnSyntax = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.([^\s.,]+))?(?:\s+AS\s+([A-Za-z0-9_]+))?$/i;

/**
 * Reads a QueryStatement as far as the emulator checks it: the table, and the columns selected from it. A WHERE
 * clause is accepted without reading its conditions.
 */
export function parseQueryStatement(statement: string): QueryStatement {
  const match = statementSyntax.exec(statement.trim());
  if (!match) {
    throw validationError(
      `The query statement is not valid: expected SELECT <columns> FROM <table> [WHERE <conditions>] [LIMIT <n>], got ${statement}`,
    );
  }
  const [, selectList, table] = match as unknown as [string, string, string];
  const items = selectList.split(',').map((item) => item.trim());
  if (items.includes('*')) {
    throw validationError('The query statement is not valid: SELECT * is not supported, name the columns');
  }
  const columns = items.map((item) => {
    const column = selectedColumnSyntax.exec(item);
    if (!column) throw validationError(`The query statement is not valid: cannot read the selected column '${item}'`);
    const [, name, attribute, alias] = column as unknown as [string, string, string?, string?];
    return {
      column: name,
      ...(attribute === undefined ? {} : { attribute }),
      ...(alias === undefined ? {} : { alias }),
    };
  });
  return { table, columns };
}
