import { buildApi } from '../../client/api/server';
import type { InstallService } from '../../client/install-service';

// The OpenAPI document is deep, untyped JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** The start route against an install service that must never be reached: bounds are refused before any start. */
async function apiWithFloor(durationFloor: 'production' | 'development') {
  const starts: unknown[] = [];
  const installs = {
    start: async (input: unknown) => {
      starts.push(input);
      throw new Error('not under test');
    },
  } as unknown as InstallService;
  const app = await buildApi({
    installs,
    apiKeys: [],
    runnerTokenKey: new Uint8Array(32),
    namespace: 'default',
    isReady: async () => true,
    durationFloor,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  // fetch over loopback: fastify's inject needs an ES module that jest cannot load here.
  const send = async (method: string, path: string, payload?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    return {
      statusCode: response.status,
      headers: response.headers,
      json: () => response.json() as Promise<Json>,
    };
  };
  return { app, starts, send };
}

const body = (extra: Record<string, unknown>) => ({
  orgId: 'acme',
  awsAccountId: '111111111111',
  region: 'us-east-1',
  ...extra,
});

describe('POST /installs bounds every duration', () => {
  it('answers 400 naming each field out of range, and starts nothing', async () => {
    const { app, starts, send } = await apiWithFloor('production');
    const response = await send(
      'POST',
      '/installs',
      body({
        timeouts: { roleSubmission: '999999999 days', roleReminder: '1 s' },
        reverifyEvery: '1 ms',
        cur: { firstReport: { pollEvery: '1 ms' } },
        approval: { required: true, expiresAfter: '999999999 days' },
      }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = (await response.json()) as { errors: Array<{ path: string; message: string }> };
    expect(problem.errors.map((error) => error.path).sort()).toEqual([
      '/approval/expiresAfter',
      '/cur/firstReport/pollEvery',
      '/reverifyEvery',
      '/timeouts/roleReminder',
      '/timeouts/roleSubmission',
    ]);
    expect(starts).toEqual([]);
    await app.close();
  });

  it('lets a development deployment set short timers but never past the maximum', async () => {
    const { app, starts, send } = await apiWithFloor('development');
    const tooLong = await send('POST', '/installs', body({ timeouts: { onboardingCallback: '31 days' } }));
    expect(tooLong.statusCode).toBe(400);
    expect(starts).toEqual([]);
    const short = await send('POST', '/installs', body({ reverifyEvery: '500 ms' }));
    expect(short.statusCode).toBe(500); // reached the (stub) install service: the bounds let it through
    expect(starts).toHaveLength(1);
    await app.close();
  });

  it('publishes each range in the OpenAPI document', async () => {
    const { app, send } = await apiWithFloor('production');
    const document = await (await send('GET', '/openapi.json')).json();
    const schema = document.paths['/installs'].post.requestBody.content['application/json'].schema;
    expect(schema.properties.timeouts.properties.roleReminder.description).toMatch(/between 1 hour and 30 days/);
    expect(schema.properties.reverifyEvery.description).toMatch(/between 5 minutes and 30 days/);
    await app.close();
  });
});
