/** Tracing for the worker and the API: OpenTelemetry spans, exported over OTLP/HTTP when a collector is configured. */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { readOtlpEndpoint } from './telemetry-settings';

/** A registered tracer provider: where spans go, and what names the process in them. */
export interface Tracing {
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * Registers the process's tracer provider (the global one the Temporal interceptors and our spans use), with spans
 * sent to `spanProcessor`, or over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
 * is set: the exporter reads the endpoint and its headers from the standard variables. Undefined, and nothing
 * registered, otherwise: every span is then a no-op.
 *
 * @example
 * const tracing = startTracing('install-orchestrator-worker'); // OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318
 * await tracing?.shutdown();
 */
export function startTracing(
  serviceName: string,
  options: { spanProcessor?: SpanProcessor } = {},
): Tracing | undefined {
  // The exporter reads the process's own variables (endpoint, headers, timeout), as every OpenTelemetry SDK does.
  const env = process.env;
  const endpoint = readOtlpEndpoint(env);
  const spanProcessor =
    options.spanProcessor ?? (endpoint ? new BatchSpanProcessor(new OTLPTraceExporter()) : undefined);
  if (!spanProcessor) return undefined;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME || serviceName });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Sets the AsyncLocalStorage context manager and the W3C propagator, which carry a span from an activity to its AWS calls.
  provider.register();
  return { spanProcessor, resource, shutdown: () => provider.shutdown() };
}
