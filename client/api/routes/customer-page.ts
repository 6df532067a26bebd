import { existsSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { checkRoleArnForInstall, partitionOfRegion } from '../../../domain/arn';
import { explainError } from '../../../domain/error-catalog';
import { renderOnboardingKit } from '../../../domain/onboarding-kit';
import { onboardingGeneration, readCustomerLinkToken } from '../../../security/customer-link-token';
import type { ApiOptions } from '../context';
import { permissionSetOf } from '../permission-set';
import { customerLinkTtlMs, customerPagePath } from '../customer-page/link';
import { ProgressHub } from '../customer-page/progress-hub';
import { customerPageCsp, renderCustomerPage } from '../customer-page/render-page';
import { Problem } from '../problems';
import { installIdParam } from '../schemas';
import { artifactsOf } from './onboarding';

/** Routes under this prefix take the customer link's token, never the API key; server.ts lets them through. */
export const customerRoutePrefix = '/customer/';

const tokenQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: {
    token: {
      type: 'string',
      pattern: '^[0-9a-f]{1,64}\\.\\d{1,12}\\.[A-Za-z0-9_-]{43}$',
      description: 'The token of the customer link (customerUrl of GET /installs/{installId}/onboarding).',
    },
  },
} as const;

/** The problem document as problems.ts sends it; routes add their own fields (code, cause, fix, reason). */
const problemResponse = (description: string) => ({
  description,
  content: {
    'application/problem+json': {
      schema: {
        type: 'object',
        required: ['type', 'title', 'status', 'detail', 'instance'],
        additionalProperties: true,
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          instance: { type: 'string' },
        },
      },
    },
  },
});

const linkProblems = {
  400: problemResponse('The request is not valid'),
  401: problemResponse('The link is not valid for this install'),
  404: problemResponse('No such install or file'),
  410: problemResponse('The link has expired, or onboarding was restarted and it was replaced'),
  429: problemResponse('Too many requests'),
  503: problemResponse('Temporal did not answer in time; retry shortly'),
};

// The link's token is the `token` query parameter each route declares (and validates); declared again as an apiKey
// scheme it would be sent twice by a client that fills both, and refused. So no security scheme, never the API key.
const customerLink: Array<Record<string, string[]>> = [];

// Beside the source under tsx and jest; tsc does not copy them to dist/, so a built API reads them from the source tree.
const assetsDir = [
  join(__dirname, '..', 'customer-page', 'assets'),
  join(__dirname, '..', '..', '..', '..', 'client', 'api', 'customer-page', 'assets'),
].find((dir) => existsSync(join(dir, 'page.js')))!;
const assets: Record<string, { type: string; body: Buffer }> = {
  'page.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(join(assetsDir, 'page.js')) },
  'page.css': { type: 'text/css; charset=utf-8', body: readFileSync(join(assetsDir, 'page.css')) },
  'icon.svg': { type: 'image/svg+xml', body: readFileSync(join(assetsDir, 'icon.svg')) },
};

const keepAliveMs = 15_000;

/**
 * The customer's onboarding page and what it calls: the kit, the role ARN box and the live progress, all reached with
 * the customer link's token (HMAC, bound to the install, its onboarding generation and an expiry) instead of the
 * vendor's API key. The token grants exactly this: read this install's onboarding and progress, submit a role ARN.
 */
export function registerCustomerPageRoutes(app: FastifyInstance, options: ApiOptions): void {
  customerLinkTtlMs(options); // a lifetime out of bounds stops the API at start, not at the first link
  const hub = new ProgressHub((installId) => options.installs.status(installId), {
    intervalMs: options.customerPage?.pushIntervalMs ?? 1000,
    maxPerInstall: options.customerPage?.maxStreamsPerInstall ?? 5,
  });
  // Streams are hijacked from Fastify, so closing the server must end them and drop their sockets itself.
  const streamSockets = new Set<Socket>();
  app.addHook('preClose', async () => {
    hub.close();
    for (const socket of streamSockets) socket.destroy();
  });

  /** The MAC and expiry first (no Temporal call for a forged link), then the onboarding generation from the status. */
  async function authorize(installId: string, token: string) {
    const check = readCustomerLinkToken(options.runnerTokenKey, installId, token, Date.now());
    if (!check.ok && check.reason === 'expired') {
      throw new Problem(
        'customerLinkExpired',
        `This link expired at ${check.expiresAt}; ask the vendor for a new one.`,
        {
          reason: 'expired',
        },
      );
    }
    if (!check.ok) throw new Problem('invalidCustomerLink', 'This link is not valid for this install.');
    const status = await options.installs.onboardedStatus(installId);
    if (onboardingGeneration(status.onboarding?.callback?.callbackId) !== check.generation) {
      throw new Problem(
        'customerLinkExpired',
        'Onboarding was restarted, which replaced this link; ask the vendor for the new one.',
        { reason: 'revoked' },
      );
    }
    return { status, expiresAt: check.expiresAt, generation: check.generation };
  }

  const secureHeaders = {
    'content-security-policy': customerPageCsp,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
  };

  type Params = { installId: string };
  type Query = { token: string };

  app.get<{ Params: Params; Querystring: Query }>(
    '/customer/installs/:installId',
    {
      schema: {
        summary: "The customer's onboarding page (HTML)",
        params: installIdParam,
        querystring: tokenQuery,
        security: customerLink,
        produces: ['text/html'],
        response: {
          200: { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } },
          ...linkProblems,
        },
      },
    },
    async (request, reply) => {
      const { installId } = request.params;
      const { status, expiresAt } = await authorize(installId, request.query.token);
      const artifacts = artifactsOf(status, options.runnerTokenKey, permissionSetOf(options), options.oidcIssuer);
      const base = customerPagePath(installId);
      const query = `?token=${encodeURIComponent(request.query.token)}`;
      const html = renderCustomerPage({
        status,
        artifacts,
        files: renderOnboardingKit(artifacts),
        expiresAt,
        urls: {
          file: (name) => `${base}/files/${encodeURIComponent(name)}${query}`,
          roleArn: `${base}/role-arn${query}`,
          events: `${base}/events${query}`,
        },
      });
      return reply.headers(secureHeaders).type('text/html; charset=utf-8').send(html);
    },
  );

  app.get<{ Params: Params & { file: string }; Querystring: Query }>(
    '/customer/installs/:installId/files/:file',
    {
      schema: {
        summary: 'One file of the onboarding kit, as a download (customer link)',
        params: {
          ...installIdParam,
          required: ['installId', 'file'],
          properties: { ...installIdParam.properties, file: { type: 'string', pattern: '^[a-z0-9.-]{1,64}$' } },
        },
        querystring: tokenQuery,
        security: customerLink,
        produces: ['application/json', 'text/plain', 'text/x-shellscript'],
        response: {
          200: {
            description: 'The file',
            content: {
              'application/json': { schema: { type: 'object', additionalProperties: true } },
              'text/plain': { schema: { type: 'string' } },
              'text/x-shellscript': { schema: { type: 'string' } },
            },
          },
          ...linkProblems,
        },
      },
    },
    async (request, reply) => {
      const { status } = await authorize(request.params.installId, request.query.token);
      const file = renderOnboardingKit(
        artifactsOf(status, options.runnerTokenKey, permissionSetOf(options), options.oidcIssuer),
      ).find((candidate) => candidate.name === request.params.file);
      if (!file) throw new Problem('notFound', `No onboarding file ${request.params.file}.`);
      return reply
        .headers({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' })
        .type(file.contentType)
        .header('content-disposition', `attachment; filename="${file.name}"`)
        .send(file.body);
    },
  );

  app.post<{ Params: Params; Querystring: Query; Body: { roleArn: string } }>(
    '/customer/installs/:installId/role-arn',
    {
      schema: {
        summary: 'The customer submits the role ARN (customer link); the outcome follows on the progress stream',
        params: installIdParam,
        querystring: tokenQuery,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['roleArn'],
          properties: { roleArn: { type: 'string', minLength: 1, maxLength: 2048 } },
        },
        security: customerLink,
        response: {
          202: {
            description: 'Taken: the verification runs, and its outcome follows on the progress stream',
            type: 'object',
            required: ['accepted', 'phase'],
            additionalProperties: false,
            properties: { accepted: { type: 'boolean', const: true }, phase: { type: 'string' } },
          },
          ...linkProblems,
          400: problemResponse(
            "The ARN cannot be this install's role: its format, account or partition (code, cause, fix)",
          ),
          409: problemResponse('The install is not awaiting a role ARN'),
          415: problemResponse('Send application/json'),
        },
      },
    },
    async (request, reply) => {
      const { installId } = request.params;
      const { status } = await authorize(installId, request.query.token);
      // Answered at once from the domain's checks, the same the workflow's validator applies, with the catalog's words.
      const check = checkRoleArnForInstall(request.body.roleArn, {
        accountId: status.awsAccountId,
        partition: partitionOfRegion(status.region),
      });
      if (!check.ok) {
        const { cause, fix } = explainError({ code: 'InvalidRoleArn', message: check.problem.message });
        throw new Problem('invalidRoleArn', check.problem.message, { code: check.problem.code, cause, fix });
      }
      await options.installs.submitRoleArn(installId, { roleArn: check.role.arn }, 0);
      return reply.code(202).send({ accepted: true, phase: 'verifying_role' });
    },
  );

  app.get<{ Params: Params; Querystring: Query }>(
    '/customer/installs/:installId/events',
    {
      schema: {
        summary: "The install's progress as server-sent events (customer link); ends once the install is active",
        params: installIdParam,
        querystring: tokenQuery,
        security: customerLink,
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'progress, revoked and gone events',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...linkProblems,
        },
      },
    },
    async (request, reply) => {
      const { installId } = request.params;
      const { generation } = await authorize(installId, request.query.token);
      if (!hub.hasRoom(installId)) {
        throw new Problem('tooManyStreams', 'Too many pages follow this install; close one and reload.');
      }
      reply.hijack();
      const raw = reply.raw;
      const socket = request.raw.socket;
      streamSockets.add(socket);
      socket.once('close', () => streamSockets.delete(socket));
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        // A stream is its own connection: closed with the stream, never left to linger as keep-alive.
        connection: 'close',
      });
      // Reconnects after a dropped connection wait as long as the server's own push interval, at least.
      raw.write(`retry: ${Math.max(3000, options.customerPage?.pushIntervalMs ?? 1000)}\n\n`);
      // A comment line now and then keeps proxies from closing a stream that has had nothing to say.
      const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), keepAliveMs);
      const end = () => {
        clearInterval(keepAlive);
        raw.end();
      };
      const unsubscribe = hub.subscribe(installId, {
        generation,
        send: ({ event, data }) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
        end,
      });
      if (!unsubscribe) return end();
      request.raw.on('close', () => {
        clearInterval(keepAlive);
        unsubscribe();
      });
    },
  );

  app.get<{ Params: { asset: string } }>(
    '/customer/assets/:asset',
    {
      schema: {
        summary: "The customer page's script and style",
        params: {
          type: 'object',
          required: ['asset'],
          properties: { asset: { type: 'string', enum: Object.keys(assets) } },
        },
        security: [],
        produces: ['text/javascript', 'text/css', 'image/svg+xml'],
        response: {
          200: {
            description: 'The file',
            content: {
              'text/javascript': { schema: { type: 'string' } },
              'text/css': { schema: { type: 'string' } },
              'image/svg+xml': { schema: { type: 'string' } },
            },
          },
          400: problemResponse('No such asset'),
          429: problemResponse('Too many requests'),
        },
      },
    },
    async (request, reply) => {
      const asset = assets[request.params.asset]!;
      return reply
        .headers({ 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' })
        .type(asset.type)
        .send(asset.body);
    },
  );
}
