import type { FastifyInstance } from 'fastify';
import { discoveryDocument, discoveryPath, jwksPath, publishedJwks } from '../../../security/oidc-issuer';
import { answers } from '../contract';
import type { ApiOptions } from '../context';
import { sendProblem } from '../problems';
import type { Jwks, OidcDiscovery } from '../responses';

/** AWS caches the documents as it likes; five minutes here lets a rotation's new key be seen well before it signs. */
const cacheControl = 'public, max-age=300';

/**
 * The orchestrator as an OIDC issuer: the discovery document and the JWKS, unauthenticated, as AWS STS fetches them
 * (over public HTTPS, from OIDC_ISSUER_URL, which may be another host serving copies of these two documents).
 */
export function registerOidcIssuerRoutes(app: FastifyInstance, options: ApiOptions): void {
  const notConfigured = 'This deployment has no OIDC issuer (OIDC_ISSUER_URL, OIDC_SIGNING_KEYS_FILE).';
  app.get<{ Reply: OidcDiscovery }>(
    discoveryPath,
    {
      schema: {
        operationId: 'getOpenIdConfiguration',
        summary: 'The OIDC discovery document AWS reads for OIDC installs',
        security: [],
        response: answers({ 200: { schema: 'OidcDiscovery' } }, ['notFound']),
      },
    },
    async (request, reply) => {
      if (!options.oidcIssuer) return sendProblem(reply, request, 'notFound', notConfigured);
      reply.header('cache-control', cacheControl);
      return discoveryDocument(options.oidcIssuer) as unknown as OidcDiscovery;
    },
  );
  app.get<{ Reply: Jwks }>(
    jwksPath,
    {
      schema: {
        operationId: 'getJwks',
        summary: 'The public keys OIDC tokens are signed with, retired ones until their tokens expire',
        security: [],
        response: answers({ 200: { schema: 'Jwks' } }, ['notFound']),
      },
    },
    async (request, reply) => {
      if (!options.oidcIssuer) return sendProblem(reply, request, 'notFound', notConfigured);
      reply.header('cache-control', cacheControl);
      return publishedJwks(options.oidcIssuer, Date.now()) as unknown as Jwks;
    },
  );
}
