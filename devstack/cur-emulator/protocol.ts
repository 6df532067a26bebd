import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CurServiceError } from './service-error';
import type { JsonObject } from './structure-reader';

// What the SDK sends (dist-cjs/protocols/Aws_json1_1.js: sharedHeaders, buildHttpRpcRequest): awsJson1_1, POST /.
const targetPrefix = 'AWSOrigamiServiceGatewayService.';
const contentType = 'application/x-amz-json-1.1';

export function operationNameOf(request: IncomingMessage): string {
  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(targetPrefix)) {
    throw new CurServiceError(
      'UnknownOperationException',
      `Unknown operation ${request.method} ${target ?? '(no x-amz-target)'}`,
    );
  }
  return target.slice(targetPrefix.length);
}

export async function readJsonObject(request: IncomingMessage): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new CurServiceError('SerializationException', 'The request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CurServiceError('SerializationException', 'The request body must be a JSON object');
  }
  return parsed as JsonObject;
}

export function sendResult(response: ServerResponse, body: JsonObject): void {
  send(response, 200, body, {});
}

/**
 * The SDK reads the error's name from x-amzn-errortype first and `__type` second, and its message from `Message`;
 * both carry the name so a plain `fetch` sees it too.
 */
export function sendError(response: ServerResponse, error: CurServiceError): void {
  send(response, error.statusCode, { __type: error.type, Message: error.message }, { 'x-amzn-errortype': error.type });
}

function send(response: ServerResponse, statusCode: number, body: JsonObject, headers: Record<string, string>): void {
  const payload = JSON.stringify(body);
  response.writeHead(statusCode, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(payload);
}
