import Fastify, { type FastifyInstance } from 'fastify';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { secretsEqual, bearerToken } from './api/auth';

/** A payload as the Temporal UI sends it to a codec endpoint: proto JSON, bytes in base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

function fromJson(payload: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
    ),
    data: payload.data === undefined ? undefined : Buffer.from(payload.data, 'base64'),
  };
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [
        key,
        Buffer.from(value ?? new Uint8Array()).toString('base64'),
      ]),
    ),
    data: payload.data ? Buffer.from(payload.data).toString('base64') : undefined,
  };
}

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The Temporal UI's origin, allowed to call from the browser (CORS). */
  allowedOrigin: string;
  /** When set, callers must send it as a bearer token (the UI's "pass access token" option). */
  accessToken?: string;
}

/**
 * The codec endpoint the Temporal UI calls to show encrypted payloads in clear (`--ui-codec-endpoint`, or the
 * UI's codec settings). POST /decode and /encode, Temporal's codec server protocol.
 */
export async function buildCodecServer(options: CodecServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ bodyLimit: 4 * 1024 * 1024 });
  app.addHook('onRequest', async (request, reply) => {
    void reply
      .header('access-control-allow-origin', options.allowedOrigin)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type, x-namespace, authorization')
      .header('access-control-allow-credentials', 'true')
      .header('vary', 'origin');
    if (request.method === 'OPTIONS') return reply.code(204).send();
    if (options.accessToken) {
      const token = bearerToken(request.headers.authorization);
      if (!token || !secretsEqual(token, options.accessToken)) return reply.code(401).send({ message: 'unauthorized' });
    }
  });
  const route = (path: string, transform: (payloads: Payload[]) => Promise<Payload[]>) =>
    app.post<{ Body: { payloads?: JsonPayload[] } }>(path, async (request) => ({
      payloads: (await transform((request.body.payloads ?? []).map(fromJson))).map(toJson),
    }));
  route('/decode', (payloads) => options.codec.decode(payloads));
  route('/encode', (payloads) => options.codec.encode(payloads));
  app.options('/*', async () => undefined);
  return app;
}
