import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultKind = 'throttle' | 'unavailable' | 'slow' | 'drop-request' | 'drop-response';

export interface FaultProxyOptions {
  /** Where requests go when no fault is injected, e.g. moto's URL. */
  target: string;
  /** Fraction of requests that get a fault, 0..1. */
  rate: number;
  kinds: FaultKind[];
  /** Seed of which requests fail, so a failing run can be replayed. */
  seed: number;
  slowMs?: number;
  /**
   * A permanent refusal for every awsJson request of one operation (its X-Amz-Target), in AWS's own shape: for a
   * test of an error no retry fixes that valid input cannot provoke from the emulator.
   */
  refuse?: { target: string; errorType: string; message: string };
  /**
   * Deterministic lost responses: for each predicate, the first forwarded request it matches reaches AWS and its
   * answer is dropped, so the caller retries a change that already happened.
   */
  loseFirstResponseOf?: Array<(request: ForwardedRequest) => boolean>;
}

/** A request the proxy passed on to AWS (so AWS acted on it), whether or not its answer reached the caller. */
export interface ForwardedRequest {
  /** The X-Amz-Target (awsJson), the Action (query protocol), or the method and path (S3's REST protocol). */
  operation: string;
  method: string;
  path: string;
  body: string;
  responseLost: boolean;
}

export interface FaultProxy {
  url: string;
  injected: Record<FaultKind, number>;
  forwarded: number;
  /** Every request that reached AWS, in order. */
  requests: ForwardedRequest[];
  close(): Promise<void>;
}

// mulberry32: small, seedable, good enough to spread faults.
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function operationOf(request: IncomingMessage, body: string): string {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target;
  if ((request.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) {
    const action = new URLSearchParams(body).get('Action');
    if (action) return action;
  }
  const action = new URL(request.url ?? '/', 'http://proxy').searchParams.get('Action');
  return action ?? `${request.method} ${request.url}`;
}

/** A throttling answer in the request's own protocol, so the SDK parses it as AWS's. */
function throttle(request: IncomingMessage, response: ServerResponse): void {
  const contentType = request.headers['content-type'] ?? '';
  if (contentType.includes('json')) {
    response.writeHead(400, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-errortype': 'ThrottlingException',
    });
    response.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
  } else if (contentType.includes('x-www-form-urlencoded')) {
    response.writeHead(400, { 'content-type': 'text/xml' });
    response.end(
      '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>fault</RequestId></ErrorResponse>',
    );
  } else {
    response.writeHead(503, { 'content-type': 'application/xml' });
    response.end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
  }
}

/**
 * A loopback proxy in front of an AWS endpoint that injects faults at a set rate: throttling in each protocol's
 * own words, 503s, slow answers, and connections dropped before the request reaches AWS or after it did (the
 * response is lost: the nastiest case, since the change happened).
 */
export function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const random = seededRandom(options.seed);
  const target = new URL(options.target);
  const injected: Record<FaultKind, number> = {
    throttle: 0,
    unavailable: 0,
    slow: 0,
    'drop-request': 0,
    'drop-response': 0,
  };
  const state = { forwarded: 0 };
  const requests: ForwardedRequest[] = [];
  const pendingLosses = [...(options.loseFirstResponseOf ?? [])];
  let faultsSoFar = 0;

  const forward = (request: IncomingMessage, response: ServerResponse, body: Buffer, loseResponse: boolean) => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        if (loseResponse) {
          answer.resume();
          answer.on('end', () => request.socket.destroy());
          return;
        }
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    upstream.end(body);
    state.forwarded += 1;
    const text = body.toString('utf8');
    requests.push({
      operation: operationOf(request, text),
      method: request.method ?? '',
      path: request.url ?? '',
      body: text,
      responseLost: loseResponse,
    });
  };

  /** Whether this request is the first match of a loseFirstResponseOf predicate (which is then used up). */
  const losesScriptedResponse = (request: IncomingMessage, body: Buffer): boolean => {
    if (pendingLosses.length === 0) return false;
    const text = body.toString('utf8');
    const candidate = {
      operation: operationOf(request, text),
      method: request.method ?? '',
      path: request.url ?? '',
      body: text,
      responseLost: true,
    };
    const index = pendingLosses.findIndex((matches) => matches(candidate));
    if (index < 0) return false;
    pendingLosses.splice(index, 1);
    return true;
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      if (options.refuse && request.headers['x-amz-target'] === options.refuse.target) {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        return response.end(JSON.stringify({ __type: options.refuse.errorType, message: options.refuse.message }));
      }
      // Which requests fail is random (seeded); the kinds take turns, so every kind is exercised in a short run.
      const fault = random() < options.rate ? options.kinds[faultsSoFar++ % options.kinds.length] : undefined;
      if (fault) injected[fault] += 1;
      switch (fault) {
        case 'throttle':
          return throttle(request, response);
        case 'unavailable':
          response.writeHead(503, { 'content-type': 'text/plain' });
          return response.end('Service Unavailable');
        case 'slow':
          return void setTimeout(() => forward(request, response, body, false), options.slowMs ?? 1_500);
        case 'drop-request':
          return request.socket.destroy();
        case 'drop-response':
          return forward(request, response, body, true);
        default:
          if (losesScriptedResponse(request, body)) {
            injected['drop-response'] += 1;
            return forward(request, response, body, true);
          }
          return forward(request, response, body, false);
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        injected,
        requests,
        get forwarded() {
          return state.forwarded;
        },
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
