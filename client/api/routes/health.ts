import type { FastifyInstance } from 'fastify';
import { answers } from '../contract';
import type { ApiOptions } from '../context';
import { sendProblem } from '../problems';
import type { Health, Readiness } from '../responses';

export function registerHealthRoutes(app: FastifyInstance, options: ApiOptions): void {
  app.get<{ Reply: Health }>(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'The process is up',
        security: [],
        response: answers({ 200: { schema: 'Health', example: { status: 'ok' } } }, []),
      },
    },
    () => ({ status: 'ok' }),
  );
  app.get<{ Reply: Readiness }>(
    '/readyz',
    {
      schema: {
        operationId: 'getReadiness',
        summary: 'Temporal answers',
        security: [],
        response: answers({ 200: { schema: 'Readiness', example: { status: 'ready' } } }, ['notReady']),
      },
    },
    async (request, reply) => {
      const ready = await options.isReady().catch(() => false);
      return ready ? { status: 'ready' } : sendProblem(reply, request, 'notReady', 'Temporal is not reachable.');
    },
  );
}
