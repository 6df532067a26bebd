import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { InitializeHandlerOptions, InitializeMiddleware } from '@aws-sdk/types';
import { Context } from '@temporalio/activity';
import type { MetricCounter, MetricHistogram, MetricMeter } from '@temporalio/common';
import { installMetrics } from '../../domain/install-metrics';
import { awsErrorCode } from './errors';

/** Any SDK v3 client: each takes middleware on its stack. */
interface InstrumentableClient {
  middlewareStack: {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    add(middleware: InitializeMiddleware<any, any>, options: InitializeHandlerOptions & { name: string }): void;
  };
}

const tracer = trace.getTracer('install-orchestrator/aws');

interface AwsCallInstruments {
  calls: MetricCounter;
  errors: MetricCounter;
  duration: MetricHistogram;
}

// Made once per meter: a customer session builds its clients anew, and each metric made is a native object.
const instruments = new WeakMap<MetricMeter, AwsCallInstruments>();

function instrumentsOf(meter: MetricMeter): AwsCallInstruments {
  let made = instruments.get(meter);
  if (!made) {
    made = {
      calls: meter.createCounter(installMetrics.awsCalls, '1', 'AWS calls made by activities, by operation'),
      errors: meter.createCounter(installMetrics.awsCallErrors, '1', 'AWS calls that failed, by operation and code'),
      duration: meter.createHistogram(installMetrics.awsCallDuration, 'float', 's', 'Time AWS took to answer'),
    };
    instruments.set(meter, made);
  }
  return made;
}

/** The install an activity works for, when the call is made inside one: its workflow id. */
function currentInstallId(): string | undefined {
  try {
    const { workflowType, workflowExecution } = Context.current().info;
    return workflowType === 'installWorkflow' ? workflowExecution?.workflowId : undefined;
  } catch {
    // Outside an activity (the worker's start-up GetCallerIdentity).
    return undefined;
  }
}

/**
 * Records every call a client makes: a span (`STS.AssumeRole`, a child of the activity's), a count by operation
 * (`sts:AssumeRole`), its errors by AWS's code, and how long AWS took. At the initialize step, so a call is one call
 * however many attempts the SDK's own retry made.
 *
 * @example
 * const sts = instrumentAwsClient(new STSClient({ region }), 'sts', Runtime.instance().metricMeter);
 */
export function instrumentAwsClient<C extends InstrumentableClient>(client: C, service: string, meter: MetricMeter): C {
  const { calls, errors, duration } = instrumentsOf(meter);
  const middleware: InitializeMiddleware<object, object> = (next, context) => async (args) => {
    const action = (context.commandName ?? 'Unknown').replace(/Command$/, '');
    const operation = `${service}:${action}`;
    const installId = currentInstallId();
    const started = performance.now();
    calls.add(1, { operation });
    return tracer.startActiveSpan(
      `${(context.clientName ?? service).replace(/Client$/, '')}.${action}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'rpc.system': 'aws-api',
          'rpc.service': service,
          'rpc.method': action,
          ...(installId ? { 'install.id': installId } : {}),
        },
      },
      async (span) => {
        try {
          return await next(args);
        } catch (error) {
          const code = awsErrorCode(error) ?? 'Unknown';
          errors.add(1, { operation, code });
          span.setStatus({ code: SpanStatusCode.ERROR, message: code });
          throw error;
        } finally {
          duration.record((performance.now() - started) / 1000, { operation });
          span.end();
        }
      },
    );
  };
  client.middlewareStack.add(middleware, { step: 'initialize', name: 'installOrchestratorTelemetry' });
  return client;
}
