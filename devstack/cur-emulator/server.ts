import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertSigned, CurServiceError, readBody, sendError, sendResult, targetPrefix } from './protocol';
import { ReportStore } from './report-store';

export interface CurEmulator {
  url: string;
  close(): Promise<void>;
  reportNames(): string[];
}

async function handle(store: ReportStore, request: IncomingMessage, response: ServerResponse): Promise<void> {
  try {
    if (request.method !== 'POST') throw new CurServiceError('UnknownOperationException', 'Only POST is supported');
    assertSigned(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    const body = await readBody(request);
    let input: Record<string, unknown>;
    try {
      input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    } catch {
      throw new CurServiceError('SerializationException', 'Request body is not valid JSON');
    }
    const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
      PutReportDefinition: (i) => store.put(i),
      DescribeReportDefinitions: (i) => store.describe(i),
      ModifyReportDefinition: (i) => store.modify(i),
      DeleteReportDefinition: (i) => store.delete(i),
    };
    const operation = target.startsWith(targetPrefix) ? operations[target.slice(targetPrefix.length)] : undefined;
    if (!operation) throw new CurServiceError('UnknownOperationException', `Unknown operation ${target || '(none)'}`);
    sendResult(response, operation(input));
  } catch (error) {
    sendError(
      response,
      error instanceof CurServiceError ? error : new CurServiceError('InternalErrorException', 'Internal error', 500),
    );
  }
}

export interface CurEmulatorOptions {
  host?: string;
  port?: number;
  /**
   * AWS allows five definitions per account. The emulator keeps one namespace for every account, so a stack shared
   * by many accounts and tests raises this.
   */
  reportLimit?: number;
}

/** Serves the Cost and Usage Report API over HTTP (awsJson1_1), for the real CUR SDK client. */
export function startCurEmulator(options: CurEmulatorOptions = {}): Promise<CurEmulator> {
  const store = new ReportStore(options.reportLimit);
  const server = createServer((request, response) => void handle(store, request, response));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
        reportNames: () => store.names(),
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
