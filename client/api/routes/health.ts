import type { FastifyInstance } from 'fastify';
import type { ApiOptions } from '../context';
import { sendProblem } from '../problems';

export function registerHealthRoutes(app: FastifyInstance, options: ApiOptions): void {
  app.get('/healthz', { schema: { summary: 'The process is up' } }, () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { summary: 'Temporal answers' } }, async (request, reply) => {
    const ready = await options.isReady().catch(() => false);
    return ready ? { status: 'ready' } : sendProblem(reply, request, 'notReady', 'Temporal is not reachable.');
  });
}
