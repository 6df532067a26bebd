import { ConfigError } from '../../config/deployment';
import { readMetricsToken, readOtlpEndpoint, readWorkerMetricsAddress } from '../../config/telemetry-settings';

describe("the operator's telemetry settings, checked at start", () => {
  it.each(['0.0.0.0:9464', '127.0.0.1:0', 'metrics.internal:65535', '[::1]:9464', '[::]:9464'])(
    'takes WORKER_METRICS_ADDRESS=%s',
    (address) => {
      expect(readWorkerMetricsAddress({ WORKER_METRICS_ADDRESS: address })).toBe(address);
    },
  );

  it.each([
    ['no port', '0.0.0.0'],
    ['a port past 65535', '0.0.0.0:65536'],
    ['a port of six digits', '0.0.0.0:946400'],
    ['a URL', 'http://0.0.0.0:9464'],
    ['a path', '0.0.0.0:9464/metrics'],
    ['a space', '0.0.0.0: 9464'],
    ['a host longer than DNS allows', `${'a'.repeat(254)}:9464`],
  ])('refuses WORKER_METRICS_ADDRESS with %s, naming it', (_, address) => {
    expect(() => readWorkerMetricsAddress({ WORKER_METRICS_ADDRESS: address })).toThrow(ConfigError);
    expect(() => readWorkerMetricsAddress({ WORKER_METRICS_ADDRESS: address })).toThrow(
      /^WORKER_METRICS_ADDRESS=.* must be host:port with a port up to 65535/,
    );
  });

  it('answers a 100,000-character WORKER_METRICS_ADDRESS at once, quoting only its start', () => {
    const started = performance.now();
    const refusal = (() => {
      try {
        readWorkerMetricsAddress({ WORKER_METRICS_ADDRESS: `${'9'.repeat(100_000)}:` });
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(refusal!.length).toBeLessThan(200);
  });

  it('takes no setting as off: no metrics address, no token, no trace export', () => {
    expect(readWorkerMetricsAddress({})).toBeUndefined();
    expect(readMetricsToken({})).toBeUndefined();
    expect(readOtlpEndpoint({})).toBeUndefined();
  });

  it('takes a METRICS_TOKEN of 16 to 4096 characters without spaces, and refuses any other', () => {
    for (const token of ['x'.repeat(16), 'x'.repeat(4_096)])
      expect(readMetricsToken({ METRICS_TOKEN: token })).toBe(token);
    for (const token of ['x'.repeat(15), 'x'.repeat(4_097), `${'x'.repeat(16)} y`, `${'x'.repeat(16)}\n`]) {
      expect(() => readMetricsToken({ METRICS_TOKEN: token })).toThrow(
        /^METRICS_TOKEN must be 16 to 4096 characters, without spaces\.$/,
      );
    }
  });

  it('takes an http or https OTLP endpoint, the traces one before the general one, and refuses anything else by name', () => {
    expect(readOtlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe('http://collector:4318');
    expect(
      readOtlpEndpoint({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/v1/traces',
      }),
    ).toBe('https://traces.example/v1/traces');
    expect(() => readOtlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /^OTEL_EXPORTER_OTLP_ENDPOINT=collector:4318 must be an http or https URL/,
    );
    expect(() => readOtlpEndpoint({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'file:///tmp/spans' })).toThrow(
      /^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=file:\/\/\/tmp\/spans must be/,
    );
    expect(() => readOtlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(ConfigError);
  });
});
