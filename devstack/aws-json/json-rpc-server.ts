import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertSigned } from './authentication';
import { operationNameOf, readJsonObject, sendError, sendResult } from './protocol';
import { AwsServiceError, commonError, type JsonObject } from './service-error';

export type Operation = (input: JsonObject) => JsonObject;

/** Where a server listens: loopback and a free port unless told. */
export interface ListenOptions {
  host?: string;
  port?: number;
}

export interface JsonRpcServerOptions extends ListenOptions {
  /** For log lines: "cur emulator". */
  name: string;
  /** The model's `targetPrefix`: x-amz-target is `<targetPrefix>.<operation>`. */
  targetPrefix: string;
  operations: ReadonlyMap<string, Operation>;
  /** What the service answers when the emulator itself breaks: each model names its own 500 type. */
  internalError: (message: string) => AwsServiceError;
}

export interface JsonRpcServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves one awsJson1_1 service on a loopback port: signed POSTs only, each answered by the operation its
 * x-amz-target names, errors as the SDK reads them.
 *
 * @example
 * const server = await startJsonRpcServer({ name: 'cur emulator', targetPrefix: 'AWSOrigamiServiceGatewayService',
 *   operations, internalError: (message) => curError('InternalErrorException', message) });
 */
export function startJsonRpcServer(options: JsonRpcServerOptions): Promise<JsonRpcServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => void answer(options, request, response));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
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
  options: JsonRpcServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    assertSigned(request);
    const name = operationNameOf(request, options.targetPrefix);
    const operation = options.operations.get(name);
    if (!operation) throw commonError('UnknownOperationException', `Unknown operation ${name}`);
    sendResult(response, operation(await readJsonObject(request)));
  } catch (error) {
    if (error instanceof AwsServiceError) {
      sendError(response, error);
      return;
    }
    console.error(`${options.name}: internal error`, error);
    sendError(response, options.internalError(`An internal error occurred in the ${options.name}`));
  }
}
