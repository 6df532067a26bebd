import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  discoveryDocument,
  discoveryPath,
  jwksPath,
  parseOidcIssuer,
  publishedJwks,
  type OidcIssuer,
} from '../security/oidc-issuer';

/**
 * A bare issuer on loopback for tests that need one without the API: serves the two documents AWS fetches, from an
 * issuer whose keys the test may change (`issuer.keys`) and at a clock the test sets (`now`).
 */
export async function startTestIssuer(keys: unknown[]): Promise<{
  issuer: OidcIssuer;
  url: string;
  now: { ms?: number };
  close(): Promise<void>;
}> {
  const now: { ms?: number } = {};
  const holder: { issuer?: OidcIssuer } = {};
  const server: Server = createServer((request, response) => {
    const issuer = holder.issuer!;
    const body =
      request.url === discoveryPath
        ? discoveryDocument(issuer)
        : request.url === jwksPath
          ? publishedJwks(issuer, now.ms ?? Date.now())
          : undefined;
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    response.end(body ? JSON.stringify(body) : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  holder.issuer = parseOidcIssuer(url, JSON.stringify({ keys }));
  return {
    issuer: holder.issuer,
    url,
    now,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
