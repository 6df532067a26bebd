import type { Context as ActivityContext } from '@temporalio/activity';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import {
  Runtime,
  type GetLogAttributesInput,
  type InjectedSinks,
  type Next,
  type ActivityOutboundCallsInterceptor,
  type WorkerOptions,
} from '@temporalio/worker';
import { readWorkerMetricsAddress } from '../config/telemetry-settings';
import type { Tracing } from '../config/tracing';
import { installMetricBuckets } from '../domain/install-metrics';

export type { Tracing } from '../config/tracing';

/** Activity logs name the install they work for, besides the SDK's workflowId (the same id, for installs). */
class InstallLogAttributes extends OpenTelemetryActivityOutboundInterceptor {
  override getLogAttributes(
    input: GetLogAttributesInput,
    next: Next<ActivityOutboundCallsInterceptor, 'getLogAttributes'>,
  ): Record<string, unknown> {
    const { workflowType, workflowExecution } = this.ctx.info;
    const installId = workflowType === 'installWorkflow' ? workflowExecution?.workflowId : undefined;
    return super.getLogAttributes(installId ? { installId, ...input } : input, next);
  }
}

/** Without tracing here, a workflow started with a trace context (by an API with tracing on) still calls the sink. */
const discardWorkflowSpans: InjectedSinks<OpenTelemetrySinks> = {
  exporter: { export: { fn: () => undefined } },
};

/**
 * What a worker adds: with tracing, a span per activity (continuing the workflow's; each AWS call gets its own under
 * it) and the sink that exports the workflow's spans (workflow code cannot); always, the install id on activity logs.
 */
export function workerTelemetry(tracing: Tracing | undefined): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      activity: [
        (ctx: ActivityContext) => ({
          ...(tracing ? { inbound: new OpenTelemetryActivityInboundInterceptor(ctx) } : {}),
          outbound: new InstallLogAttributes(ctx),
        }),
      ],
    },
    sinks: tracing ? { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } : discardWorkflowSpans,
  };
}

/**
 * Installs the process's Temporal runtime, once, first thing: with WORKER_METRICS_ADDRESS (`0.0.0.0:9464`) it serves
 * the SDK's metrics and ours (the install workflows' and the AWS calls', recorded through the runtime's meter) in
 * Prometheus's text format at http://<address>/metrics. Without it the runtime is the SDK's default and nothing
 * listens.
 */
export function installWorkerRuntime(env: NodeJS.ProcessEnv = process.env): { metricsAddress?: string } {
  const address = readWorkerMetricsAddress(env);
  if (!address) return {};
  Runtime.install({
    telemetryOptions: {
      metrics: {
        prometheus: {
          bindAddress: address,
          countersTotalSuffix: true,
          useSecondsForDurations: true,
          histogramBucketOverrides: installMetricBuckets,
        },
      },
    },
  });
  return { metricsAddress: address };
}
