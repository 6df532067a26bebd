import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { commonError, type AwsServiceError, type JsonObject } from './service-error';

// What the SDK sends (its AwsJson1_1Protocol): POST /, the operation named by x-amz-target as
// `<service target prefix>.<operation>`, a JSON body.
const contentType = 'application/x-amz-json-1.1';

/** The operation a request names, if it is a POST whose x-amz-target belongs to this service. */
export function operationNameOf(request: IncomingMessage, targetPrefix: string): string {
  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(`${targetPrefix}.`)) {
    throw commonError(
      'UnknownOperationException',
      `Unknown operation ${request.method} ${target ?? '(no x-amz-target)'}`,
    );
  }
  return target.slice(targetPrefix.length + 1);
}

export async function readJsonObject(request: IncomingMessage): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw commonError('SerializationException', 'The request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw commonError('SerializationException', 'The request body must be a JSON object');
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
export function sendError(response: ServerResponse, error: AwsServiceError): void {
  send(
    response,
    error.statusCode,
    { __type: error.type, Message: error.message, ...error.members },
    { 'x-amzn-errortype': error.type },
  );
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
