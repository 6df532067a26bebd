import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

/** An error the way the CUR API returns it: awsJson1_1, typed by `__type`, which the SDK maps to its classes. */
export class CurServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = 'CurServiceError';
  }
}

export const targetPrefix = 'AWSOrigamiServiceGatewayService.';
const maxBodyBytes = 1024 * 1024;

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new CurServiceError('SerializationException', 'Request body too large', 413));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, statusCode: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  response.writeHead(statusCode, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(payload);
}

export function sendResult(response: ServerResponse, body: unknown): void {
  send(response, 200, body);
}

export function sendError(response: ServerResponse, error: CurServiceError): void {
  send(response, error.statusCode, { __type: error.type, Message: error.message }, { 'x-amzn-errortype': error.type });
}

/** AWS answers an unsigned request before looking at it; a SigV4 header is the least a real client sends. */
export function assertSigned(request: IncomingMessage): void {
  const authorization = request.headers.authorization ?? '';
  if (!authorization.startsWith('AWS4-HMAC-SHA256 ') || !authorization.includes('Credential=')) {
    throw new CurServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
  }
}
