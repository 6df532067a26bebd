import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertSigned } from './authentication';
import { curOperations, type Operation } from './operations';
import { operationNameOf, readJsonObject, sendError, sendResult } from './protocol';
import { ReportStore } from './report-store';
import { CurServiceError } from './service-error';

export interface CurEmulator {
  url: string;
  close(): Promise<void>;
  reportNames(): string[];
}

export interface CurEmulatorOptions {
  host?: string;
  port?: number;
  /**
   * AWS allows five definitions per account; a stack whose accounts and tests all share the emulator's one namespace
   * needs more.
   */
  reportLimit?: number;
}

export function startCurEmulator(options: CurEmulatorOptions = {}): Promise<CurEmulator> {
  const host = options.host ?? '127.0.0.1';
  const store = new ReportStore(options.reportLimit);
  const operations = curOperations(store);
  const server = createServer((request, response) => void answer(operations, request, response));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        reportNames: () => store.names(),
        close: () =>
          new Promise((closed, failed) => {
            server.close((error) => (error ? failed(error) : closed()));
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function answer(
  operations: ReadonlyMap<string, Operation>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    assertSigned(request);
    const name = operationNameOf(request);
    const operation = operations.get(name);
    if (!operation) throw new CurServiceError('UnknownOperationException', `Unknown operation ${name}`);
    sendResult(response, operation(await readJsonObject(request)));
  } catch (error) {
    if (error instanceof CurServiceError) {
      sendError(response, error);
      return;
    }
    console.error('cur emulator: internal error', error);
    sendError(response, new CurServiceError('InternalErrorException', 'An internal error occurred in the emulator'));
  }
}
