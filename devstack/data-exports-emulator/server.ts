import { startJsonRpcServer, type JsonRpcServer, type ListenOptions } from '../aws-json/json-rpc-server';
import { dataExportsError } from './errors';
import { ExportStore } from './export-store';
import { targetPrefix } from './model';
import { dataExportsOperations } from './operations';

export interface DataExportsEmulator extends JsonRpcServer {
  exportNames(): string[];
}

export interface DataExportsEmulatorOptions extends ListenOptions {
  /**
   * The account every export belongs to (its ARN's account). The emulator cannot map a SigV4 access key to an
   * account, so one namespace serves all callers, as the CUR emulator's does. Default 000000000000.
   */
  accountId?: string;
  /**
   * AWS allows five CUR 2.0 exports per account; a stack whose accounts and tests all share the emulator's one
   * namespace needs more.
   */
  exportLimit?: number;
}

/**
 * Serves the BCM Data Exports API (CUR 2.0, awsJson1_1) on a loopback port, for the real
 * `@aws-sdk/client-bcm-data-exports` client pointed at `url`. Requests must be SigV4-signed (not verified), are
 * validated against the model, and exports are checked as AWS checks them: the query's table and columns, the table
 * configurations, the format and compression pair, a unique name.
 *
 * Known differences from AWS: only the COST_AND_USAGE_REPORT table exists, with the four table configurations of the
 * API reference (not the newer BILLING_VIEW_ARN, INCLUDE_CAPACITY_RESERVATION_DATA, INCLUDE_IAM_PRINCIPAL_DATA or their
 * columns); a WHERE clause is accepted unread; nothing is delivered, so an export stays HEALTHY and has no executions.
 *
 * @example
 * const emulator = await startDataExportsEmulator({ accountId: '123456789012' });
 * const client = new BCMDataExportsClient({ region: 'us-east-1', endpoint: emulator.url, credentials });
 */
export async function startDataExportsEmulator(options: DataExportsEmulatorOptions = {}): Promise<DataExportsEmulator> {
  const store = new ExportStore(options.accountId ?? '000000000000', options.exportLimit);
  const server = await startJsonRpcServer({
    name: 'data exports emulator',
    host: options.host,
    port: options.port,
    targetPrefix,
    operations: dataExportsOperations(store),
    internalError: (message) => dataExportsError('InternalServerException', message),
  });
  return { ...server, exportNames: () => store.names() };
}
