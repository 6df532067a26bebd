import type { IncomingMessage } from 'node:http';
import { commonError } from './service-error';

const sigV4Authorization = /^AWS4-HMAC-SHA256 Credential=[^,\s]+,\s*SignedHeaders=[^,\s]+,\s*Signature=[0-9a-f]+$/;

/**
 * AWS refuses an unsigned request before it looks at the operation: "Missing Authentication Token", HTTP 403. An
 * emulator holds no one's secret key, so it checks that a request is signed with SigV4, not that the signature is
 * right.
 */
export function assertSigned(request: IncomingMessage): void {
  const authorization = request.headers.authorization;
  if (authorization === undefined || authorization === '') {
    throw commonError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  if (!sigV4Authorization.test(authorization)) {
    throw commonError(
      'IncompleteSignatureException',
      'Authorization header requires Credential, SignedHeaders and Signature after AWS4-HMAC-SHA256',
    );
  }
}
