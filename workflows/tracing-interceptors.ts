/**
 * The workflow interceptor module of every bundle (worker/install-worker.ts): @temporalio/interceptors-opentelemetry's
 * workflow interceptors, loaded only by a workflow whose start (or an update or signal) carries a trace context. Each
 * workflow gets its own copy of the modules it loads, and the OpenTelemetry SDK costs about 0.9 MiB per cached
 * workflow (README.md, Metrics and traces): installs started without tracing never pay it. The decision rests on headers recorded
 * in history, so a replay makes it as the first run did; the interceptors add no command either way.
 */
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type {
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

/** The header the OpenTelemetry interceptors carry the W3C trace context in (their TRACE_HEADER). */
const traceHeader = '_tracer-data';

function carriesTrace(headers: Headers | undefined): boolean {
  const payload = headers?.[traceHeader];
  if (!payload) return false;
  const carrier = defaultPayloadConverter.fromPayload<Record<string, unknown> | null>(payload);
  return typeof carrier?.traceparent === 'string';
}

interface Official {
  inbound: WorkflowInboundCallsInterceptor;
  outbound: WorkflowOutboundCallsInterceptor;
  internals: WorkflowInternalsInterceptor;
}

function loadOfficial(): Official {
  // Required here, not imported: the bundle evaluates a module when it is first required, and only traced workflows do.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const otel = require('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors') as {
    interceptors: () => Required<Pick<WorkflowInterceptors, 'inbound' | 'outbound' | 'internals'>>;
  };
  const made = otel.interceptors();
  return { inbound: made.inbound[0]!, outbound: made.outbound[0]!, internals: made.internals[0]! };
}

export const interceptors = (): WorkflowInterceptors => {
  let official: Official | undefined;
  const enableIf = (headers: Headers | undefined) => {
    if (!official && carriesTrace(headers)) official = loadOfficial();
  };
  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next) {
      enableIf(input.headers);
      return official?.inbound.execute ? official.inbound.execute(input, next) : next(input);
    },
    handleSignal(input, next) {
      enableIf(input.headers);
      return official?.inbound.handleSignal ? official.inbound.handleSignal(input, next) : next(input);
    },
    handleUpdate(input, next) {
      enableIf(input.headers);
      return official?.inbound.handleUpdate ? official.inbound.handleUpdate(input, next) : next(input);
    },
    validateUpdate(input, next) {
      enableIf(input.headers);
      if (official?.inbound.validateUpdate) official.inbound.validateUpdate(input, next);
      else next(input);
    },
    // A query is not in history: it never turns tracing on.
    handleQuery(input, next) {
      return official?.inbound.handleQuery ? official.inbound.handleQuery(input, next) : next(input);
    },
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) =>
      official?.outbound.scheduleActivity ? official.outbound.scheduleActivity(input, next) : next(input),
    scheduleLocalActivity: (input, next) =>
      official?.outbound.scheduleLocalActivity ? official.outbound.scheduleLocalActivity(input, next) : next(input),
    startChildWorkflowExecution: (input, next) =>
      official?.outbound.startChildWorkflowExecution
        ? official.outbound.startChildWorkflowExecution(input, next)
        : next(input),
    continueAsNew: (input, next) =>
      official?.outbound.continueAsNew ? official.outbound.continueAsNew(input, next) : next(input),
    signalWorkflow: (input, next) =>
      official?.outbound.signalWorkflow ? official.outbound.signalWorkflow(input, next) : next(input),
    startNexusOperation: (input, next) =>
      official?.outbound.startNexusOperation ? official.outbound.startNexusOperation(input, next) : next(input),
    getLogAttributes: (input, next) =>
      official?.outbound.getLogAttributes ? official.outbound.getLogAttributes(input, next) : next(input),
  };
  const internals: WorkflowInternalsInterceptor = {
    dispose: (input, next) => (official?.internals.dispose ? official.internals.dispose(input, next) : next(input)),
  };
  return { inbound: [inbound], outbound: [outbound], internals: [internals] };
};
