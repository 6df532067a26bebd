import { timingSafeEqual } from 'node:crypto';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InstallService } from '../install-service';
import { sendProblem } from './problems';

/** What /metrics needs besides the install service. */
export interface ApiMetricsOptions {
  /** Bearer token /metrics asks for (METRICS_TOKEN); open to anyone who reaches the API when unset. */
  token?: string;
  /** How long one reading of the phase counts serves scrapes (default 15 s): each is a visibility count per phase. */
  phaseCountsTtlMs?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    span: Span;
  }
}

const tracer = trace.getTracer('install-orchestrator/api');

/** Install ids in request paths: the only routes that have one are under /installs/:installId. */
const installPath = /^\/installs\/([A-Za-z0-9._-]{1,40})(?:[/?]|$)/;

/** The install a request is about, from its URL; for the request's log lines and its span. */
export function installIdOf(url: string | undefined): string | undefined {
  return url ? installPath.exec(url)?.[1] : undefined;
}

/** The phase gauge reads visibility at most once per TTL, and once at a time, however many scrapers ask. */
function cachedCounts(installs: InstallService, ttlMs: number) {
  let last: { at?: number; counts: Promise<Record<string, number>> } | undefined;
  return (): Promise<Record<string, number>> => {
    const fresh = last && (last.at === undefined || Date.now() - last.at < ttlMs);
    if (!last || !fresh) {
      const reading: NonNullable<typeof last> = { counts: installs.countByPhase() };
      last = reading;
      reading.counts.then(
        () => (reading.at = Date.now()),
        // A failed reading is not kept: the next scrape asks again.
        () => last === reading && (last = undefined),
      );
    }
    return last.counts;
  };
}

/**
 * The API's Prometheus metrics and request spans: request counts and durations by route, method and status; the
 * installs by phase (read from Temporal visibility at scrape time, so every API replica and every worker count the
 * same installs); a span per request, continuing the caller's W3C trace, under which the Temporal client's spans run.
 * Registered before the routes, whose handlers it wraps to run inside the request's span.
 */
export function registerApiTelemetry(app: FastifyInstance, installs: InstallService, options: ApiMetricsOptions = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'install_api_' });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'install_api_requests_total',
    help: 'HTTP requests answered, by route, method and status',
    labelNames,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'install_api_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route, method and status',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const readCounts = cachedCounts(installs, options.phaseCountsTtlMs ?? 15_000);
  new Gauge({
    name: 'installs_by_phase',
    help: 'Installs by phase (InstallPhase in Temporal visibility): running ones, and ended ones still retained',
    labelNames: ['phase'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const [phase, count] of Object.entries(await readCounts())) this.set({ phase }, count);
      } catch (error) {
        app.log.warn({ err: error }, 'installs_by_phase: Temporal visibility did not answer');
      }
    },
  });
  new Gauge({
    name: 'installs_by_phase_up',
    help: '1 when the reading of installs_by_phase from Temporal visibility succeeded, else 0',
    registers: [registry],
    // The same reading as the gauge's (a scrape collects every metric at once).
    async collect() {
      this.set(
        await readCounts().then(
          () => 1,
          () => 0,
        ),
      );
    },
  });

  app.decorateRequest('span', null as unknown as Span);
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const installId = installIdOf(request.url);
    request.span = tracer.startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'http.route': route,
          ...(installId ? { 'install.id': installId } : {}),
        },
      },
      propagation.extract(context.active(), request.headers),
    );
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    requests.inc(labels);
    durations.observe(labels, reply.elapsedTime / 1000);
    request.span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) request.span.setStatus({ code: SpanStatusCode.ERROR });
    request.span.end();
  });
  // Handlers run inside the request's span, so the Temporal client's spans (StartWorkflow, …) are its children.
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      return context.with(trace.setSpan(context.active(), request.span), () => handler.call(this, request, reply));
    };
  });

  const expected = options.token ? Buffer.from(`Bearer ${options.token}`) : undefined;
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics of this API replica, and the installs by phase',
        ...(expected ? { security: [{ metricsToken: [] }] } : { security: [] }),
        response: {
          200: {
            description: 'Prometheus text exposition format 0.0.4',
            content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } },
          },
          ...(expected
            ? {
                401: {
                  description: 'No METRICS_TOKEN, or a wrong one',
                  content: { 'application/problem+json': { schema: { type: 'object', additionalProperties: true } } },
                },
              }
            : {}),
        },
      },
    },
    async (request, reply) => {
      if (expected) {
        const given = Buffer.from(request.headers.authorization ?? '');
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          return sendProblem(reply, request, 'unauthorized', 'Send Authorization: Bearer <METRICS_TOKEN>.');
        }
      }
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
  return registry;
}
