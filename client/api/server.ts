import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { AjvCompiler } from '@fastify/ajv-compiler';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { InstallNotFoundError } from '../install-service';
import { anonymousCaller, servesOrg, type Caller } from './api-keys';
import { AllowedMethods } from './allowed-methods';
import { authenticate } from './auth';
import { markOptionalBodies, registerContractSchemas, securitySchemes } from './contract';
import type { ApiOptions } from './context';
import { handleError, Problem, sendProblem } from './problems';
import { registerHealthRoutes } from './routes/health';
import { registerOidcIssuerRoutes } from './routes/oidc-issuer';
import { discoveryPath, jwksPath } from '../../security/oidc-issuer';
import { registerInstallRoutes } from './routes/installs';
import { registerOnboardingRoutes } from './routes/onboarding';
import { registerOrganizationInstallRoutes } from './routes/organization-installs';
import { registerOnboardingCallbackRoutes } from './routes/onboarding-callback';
import { registerPermissionRoutes } from './routes/permissions';
import { registerRoleAndRunnerRoutes } from './routes/role-and-runner';
import { registerExternalIdRotationRoutes } from './routes/external-id-rotation';
import { installIdOf, registerApiTelemetry } from './telemetry';
import { customerRoutePrefix, registerCustomerPageRoutes } from './routes/customer-page';

export const defaultAnonymousRateLimit = { max: 60, timeWindowMs: 60_000 };

/** Routes a probe reads without the vendor's API key; never rate-limited. /metrics has a token of its own, if set. */
const probeRoutes = new Set(['/healthz', '/readyz', '/openapi.json', '/metrics', discoveryPath, jwksPath]);
/** Routes a runner or the customer's stack calls with a token of its own instead of an API key; rate-limited. */
const tokenRoutes = new Set([
  '/installs/:installId/runner/check-in',
  '/installs/:installId/onboarding/callback',
  '/organization-installs/:organizationInstallId/callback',
]);
const publicRoutes = new Set([...probeRoutes, ...tokenRoutes]);

/** Query parameters whose values are fit for the log; anything else (a key or token pasted into a URL) is masked. */
const loggableQueryParameters = new Set(['phase', 'awsAccountId', 'orgId', 'limit']);

/** The URL as it may be logged: the path, and of the query only the parameters the API defines. */
export function loggableUrl(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt === -1) return url;
  const pairs = url
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => (loggableQueryParameters.has(pair.split('=')[0] ?? '') ? pair : '[redacted]'));
  return `${url.slice(0, queryAt)}?${pairs.join('&')}`;
}

/** Fastify's own request serializer, with the URL masked. */
function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: loggableUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

const buildValidatorFromPool = AjvCompiler();

/**
 * Query strings and path parameters arrive as text, so `?limit=5` must become a number; a JSON body already has types,
 * so `"waitSeconds": "60"` is a 400 rather than quietly taken as 60.
 */
const coercingOnlyOutsideBodies: typeof buildValidatorFromPool = (externalSchemas, options) => {
  const compilerWith = (coerceTypes: 'array' | false) =>
    buildValidatorFromPool(externalSchemas, {
      ...options,
      customOptions: { ...options?.customOptions, coerceTypes },
    } as Parameters<typeof buildValidatorFromPool>[1]);
  const bodies = compilerWith(false);
  const text = compilerWith('array');
  // Fastify calls the compiler with the route's definition, which names the part of the request it validates.
  const compile = (route: { httpPart?: string }) => (route.httpPart === 'body' ? bodies : text)(route as never);
  return compile as unknown as ReturnType<typeof buildValidatorFromPool>;
};

/**
 * The HTTP API: starts installs, serves onboarding kits, takes role ARNs and runner check-ins.
 *
 * @example
 * const api = await buildApi({ installs: new InstallService(client, 'install-lifecycle'), apiKeys: [{ id: 'ops', secret, orgs: '*' }], ... });
 * await api.listen({ host: '127.0.0.1', port: 3000 });
 */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger
      ? {
          level: 'info',
          // Fastify logs no headers and no bodies; of the request only the URL can carry a secret.
          serializers: { req: serializeRequest },
          ...(typeof options.logger === 'object' ? { stream: options.logger.stream } : {}),
        }
      : false,
    // Every line a request logs names its install, for the routes that have one.
    childLoggerFactory: (logger, bindings, childOptions, rawRequest) => {
      const installId = installIdOf(rawRequest.url);
      return logger.child(installId ? { ...bindings, installId } : bindings, childOptions);
    },
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024,
    // Unknown fields are errors, not silently dropped: a misspelt option must not start a different install.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    schemaController: { compilersFactory: { buildValidator: coercingOnlyOutsideBodies } },
  });
  // Every body is JSON; anything else is a 415 rather than a string that fails validation further down.
  app.removeContentTypeParser('text/plain');
  // Every route, whoever registers it and when, for the 405s below (onRoute sees only routes added after it).
  const allowed = new AllowedMethods();
  app.addHook('onRoute', (route) => allowed.add(route.method, route.url));
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Install lifecycle orchestrator',
        version: '0.1.0',
        description:
          'Onboard a customer AWS account as one durable workflow. Errors are RFC 9457 problem documents ' +
          "(application/problem+json) whose `type` is one of the Problem schema's URNs.",
      },
      components: { securitySchemes },
      security: [{ apiKey: [] }],
    },
    // Shared schemas keep their names (InstallStatus, Problem, ...) as components instead of def-N.
    transformObject: (document) =>
      'openapiObject' in document ? markOptionalBodies(document.openapiObject) : document.swaggerObject,
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  registerContractSchemas(app);
  app.setErrorHandler(handleError);
  // First: its hooks time and trace every request, the refused ones too, and it wraps the handlers of the routes below.
  registerApiTelemetry(app, options.installs, options.metrics);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, 'notFound', `No route ${request.method} ${request.url}.`),
  );
  // Only requests without a valid API key are limited, per client address; the store is this process's memory.
  await app.register(rateLimit, { global: false });
  const { max, timeWindowMs } = options.anonymousRateLimit ?? defaultAnonymousRateLimit;
  const limitAnonymous = app.rateLimit({
    max,
    timeWindow: timeWindowMs,
    errorResponseBuilder: (_request, context) =>
      new Problem(
        'tooManyRequests',
        `More than ${context.max} requests without an API key; retry in ${context.after}.`,
      ),
  });
  // A method the path does not take is a 405 naming those it does, before authentication and before any body is read.
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const owner = allowed.lookup(path);
    if (!owner || (request.routeOptions.url === owner.url && owner.methods.includes(request.method))) return;
    if (request.method === 'HEAD' && owner.methods.includes('GET') && request.routeOptions.url === owner.url) return;
    reply.header('allow', owner.methods.join(', '));
    return sendProblem(reply, request, 'methodNotAllowed', `${path} takes ${owner.methods.join(', ')}.`);
  });
  // Set on every request by the hook below; declared null first, as Fastify wants for per-request objects.
  app.decorateRequest('caller', null as unknown as Caller);
  app.addHook('onRequest', async (request, reply) => {
    request.caller = anonymousCaller;
    const route = request.routeOptions.url ?? '';
    if (probeRoutes.has(route)) return;
    // The customer page's routes check the customer link's token themselves; it is never an API key.
    if (tokenRoutes.has(route) || route.startsWith(customerRoutePrefix))
      return limitAnonymous.call(app, request, reply);
    if (options.apiKeys.length === 0) return;
    const caller = authenticate(request.headers.authorization, options.apiKeys);
    if (caller) {
      request.caller = caller;
      return;
    }
    // Guessing keys counts against the same allowance as the token routes.
    await limitAnonymous.call(app, request, reply);
    return sendProblem(reply, request, 'unauthorized', 'Send Authorization: Bearer <API key>.');
  });
  // Another org's install answers exactly as a missing one, so a key cannot learn which install ids exist.
  app.addHook('preHandler', async (request) => {
    const { installId } = (request.params ?? {}) as { installId?: string };
    if (installId === undefined || request.caller.orgs === '*' || publicRoutes.has(request.routeOptions.url ?? '')) {
      return;
    }
    const orgId = await options.installs.orgOf(installId);
    if (orgId === undefined || !servesOrg(request.caller, orgId)) throw new InstallNotFoundError(installId);
  });

  registerHealthRoutes(app, options);
  registerOidcIssuerRoutes(app, options);
  registerInstallRoutes(app, options);
  registerOnboardingCallbackRoutes(app, options);
  registerOnboardingRoutes(app, options);
  registerRoleAndRunnerRoutes(app, options);
  registerPermissionRoutes(app, options);
  registerExternalIdRotationRoutes(app, options);
  registerCustomerPageRoutes(app, options);
  registerOrganizationInstallRoutes(app, options);
  app.get(
    '/openapi.json',
    {
      schema: {
        operationId: 'getOpenApiDocument',
        summary: 'This document',
        security: [],
        response: { 200: { description: 'The OpenAPI 3.1 document.', type: 'object', additionalProperties: true } },
      },
    },
    () => app.swagger(),
  );
  return app;
}
