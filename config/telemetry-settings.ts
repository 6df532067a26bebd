import { ConfigError } from './deployment';

/*
 * The operator's telemetry settings, checked when a process starts: a wrong one is refused there, by name, rather
 * than found later as a metrics port that never opens or spans that never arrive.
 */

/** Longest host name DNS allows; a bind address longer than it is a typo or worse. */
const maxHostLength = 253;
const bindAddress = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/**
 * WORKER_METRICS_ADDRESS: where the worker's Prometheus endpoint listens, `host:port` as Core binds it (port 0 lets
 * the system choose, for tests). Undefined when unset.
 *
 * @example readWorkerMetricsAddress({ WORKER_METRICS_ADDRESS: '0.0.0.0:9464' }) // '0.0.0.0:9464'
 */
export function readWorkerMetricsAddress(env: NodeJS.ProcessEnv): string | undefined {
  const address = env.WORKER_METRICS_ADDRESS;
  if (!address) return undefined;
  const match = address.length <= maxHostLength + 8 ? bindAddress.exec(address) : null;
  if (!match || match[1]!.length > maxHostLength || Number(match[2]) > 65_535) {
    throw new ConfigError(
      `WORKER_METRICS_ADDRESS=${address.slice(0, 80)} must be host:port with a port up to 65535, e.g. 0.0.0.0:9464.`,
    );
  }
  return address;
}

/** METRICS_TOKEN guards the API's GET /metrics; like an API key, long enough not to be guessed. */
export function readMetricsToken(env: NodeJS.ProcessEnv): string | undefined {
  const token = env.METRICS_TOKEN;
  if (!token) return undefined;
  if (token.length < 16 || token.length > 4_096 || /\s/.test(token)) {
    throw new ConfigError('METRICS_TOKEN must be 16 to 4096 characters, without spaces.');
  }
  return token;
}

/**
 * The OTLP endpoint spans go to (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT), if set: an
 * http or https URL, as the OTLP/HTTP exporter takes. The exporter itself would only log each failed export.
 */
export function readOtlpEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const name = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
    ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
    : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const endpoint = env[name];
  if (!endpoint) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError(`${name}=${endpoint.slice(0, 80)} must be an http or https URL, e.g. http://collector:4318.`);
  }
  return endpoint;
}
