import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { startTracing } from '../../config/tracing';

/** A collector's OTLP/HTTP endpoint: records each request it is sent. */
async function startCollector() {
  const received: Array<{ path: string; contentType?: string; body: string }> = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((done) => server.close(done)) };
}

describe('where spans go', () => {
  const variables = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_SERVICE_NAME'];
  const saved = Object.fromEntries(variables.map((name) => [name, process.env[name]]));
  beforeEach(() => variables.forEach((name) => delete process.env[name]));
  afterAll(() =>
    Object.assign(process.env, Object.fromEntries(Object.entries(saved).filter(([, v]) => v !== undefined))),
  );

  it('nowhere, and no provider is registered, without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    expect(startTracing('install-orchestrator-test')).toBeUndefined();
  });

  it('to the collector at OTEL_EXPORTER_OTLP_ENDPOINT, over OTLP/HTTP, named by the service', async () => {
    const collector = await startCollector();
    try {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.url;
      const tracing = startTracing('install-orchestrator-worker');
      expect(tracing).toBeDefined();
      trace.getTracer('test').startSpan('STS.AssumeRole').end();
      // Shutting down exports what the batch holds.
      await tracing!.shutdown();
      expect(collector.received).toHaveLength(1);
      expect(collector.received[0]).toMatchObject({ path: '/v1/traces', contentType: 'application/json' });
      expect(collector.received[0]!.body).toContain('"STS.AssumeRole"');
      expect(collector.received[0]!.body).toContain('"install-orchestrator-worker"');
    } finally {
      await collector.close();
    }
  });
});
