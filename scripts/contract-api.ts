import type { FastifyInstance } from 'fastify';
import { buildApi } from '../client/api/server';
import type { InstallService } from '../client/install-service';

/** The API as the document describes it: no Temporal behind it, since building the document asks it nothing. */
export async function contractApi(): Promise<FastifyInstance> {
  const app = await buildApi({
    installs: {} as InstallService,
    apiKeys: [{ id: 'contract', secret: 'contract', orgs: '*' }],
    runnerTokenKey: new Uint8Array(32),
    namespace: 'default',
    isReady: async () => true,
  });
  await app.ready();
  return app;
}
