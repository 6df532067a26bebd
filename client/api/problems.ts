import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { InstallConflictError, InstallNotFoundError } from '../install-service';
import { isTemporalUnavailable } from '../temporal-unavailable';

/** Seconds a caller should wait before retrying when Temporal answered "not now". */
const temporalRetryAfterSeconds = 5;

/** RFC 9457 problem types: the `type` is stable for clients to branch on; `detail` is for people. */
export const problems = {
  invalidRequest: { slug: 'invalid-request', title: 'The request is not valid', status: 400 },
  invalidRoleArn: { slug: 'invalid-role-arn', title: 'The role ARN cannot be used for this install', status: 400 },
  unauthorized: { slug: 'unauthorized', title: 'A valid API key is required', status: 401 },
  invalidRunnerToken: {
    slug: 'invalid-runner-token',
    title: 'The runner registration token is not valid',
    status: 401,
  },
  invalidCallbackToken: {
    slug: 'invalid-callback-token',
    title: 'The onboarding callback token is not valid for this install',
    status: 401,
  },
  forbidden: { slug: 'forbidden', title: 'The API key does not serve this org', status: 403 },
  notFound: { slug: 'not-found', title: 'No such resource', status: 404 },
  installNotFound: { slug: 'install-not-found', title: 'No such install', status: 404 },
  methodNotAllowed: { slug: 'method-not-allowed', title: 'The path does not take this method', status: 405 },
  wrongPhase: { slug: 'wrong-phase', title: 'The install is not in a phase that allows this', status: 409 },
  installIdTaken: { slug: 'install-id-taken', title: 'The install id is used by a different install', status: 409 },
  callbackUsed: { slug: 'callback-used', title: 'The onboarding callback was already used', status: 409 },
  externalIdRotationPending: {
    slug: 'external-id-rotation-pending',
    title: 'An External ID rotation is already under way for this install',
    status: 409,
  },
  callbackExpired: { slug: 'callback-expired', title: 'The onboarding callback has expired', status: 410 },
  payloadTooLarge: { slug: 'payload-too-large', title: 'The request body is too large', status: 413 },
  unsupportedMediaType: { slug: 'unsupported-media-type', title: 'Send application/json', status: 415 },
  tooManyRequests: { slug: 'too-many-requests', title: 'Too many requests without an API key', status: 429 },
  notReady: { slug: 'not-ready', title: 'Not ready yet; retry shortly', status: 503 },
  temporalUnavailable: {
    slug: 'temporal-unavailable',
    title: 'The workflow service did not answer in time; retry shortly',
    status: 503,
  },
  internal: { slug: 'internal-error', title: 'Internal error', status: 500 },
  invalidCustomerLink: {
    slug: 'invalid-customer-link',
    title: 'The link is not valid for this install',
    status: 401,
  },
  customerLinkExpired: {
    slug: 'customer-link-expired',
    title: 'The link has expired or was replaced; ask the vendor for a new one',
    status: 410,
  },
  tooManyStreams: { slug: 'too-many-streams', title: 'Too many pages are following this install', status: 429 },
  // Runner identity attestation (domain/runner-identity.ts): each refusal of a check-in's identityProof.
  runnerProofMissing: {
    slug: 'runner-proof-missing',
    title: 'The check-in carries no identity proof (a signed sts:GetCallerIdentity request)',
    status: 401,
  },
  runnerProofMalformed: {
    slug: 'runner-proof-malformed',
    title: 'The identity proof is not a SigV4-signed sts:GetCallerIdentity request',
    status: 400,
  },
  runnerProofWrongEndpoint: {
    slug: 'runner-proof-wrong-endpoint',
    title: "The identity proof is addressed to another host than the install's STS endpoint",
    status: 400,
  },
  runnerProofWrongServer: {
    slug: 'runner-proof-wrong-server',
    title: 'The identity proof was not signed for this install',
    status: 401,
  },
  runnerProofExpired: {
    slug: 'runner-proof-expired',
    title: 'The identity proof is too old (or dated ahead)',
    status: 401,
  },
  runnerProofSignatureInvalid: {
    slug: 'runner-proof-signature-invalid',
    title: "STS refused the identity proof's signature",
    status: 401,
  },
  runnerProofCredentialsInvalid: {
    slug: 'runner-proof-credentials-invalid',
    title: "STS does not know the identity proof's credentials",
    status: 401,
  },
  runnerProofUnverifiable: {
    slug: 'runner-proof-unverifiable',
    title: 'STS did not answer the identity proof; retry shortly',
    status: 503,
  },
  runnerWrongAccount: {
    slug: 'runner-wrong-account',
    title: "The runner's credentials are not from the install's AWS account",
    status: 403,
  },
  runnerWrongRole: { slug: 'runner-wrong-role', title: "The runner is not the install's runner role", status: 403 },
} as const;

export type ProblemKind = keyof typeof problems;

export class Problem extends Error {
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'Problem';
  }
}

export function problemTypeUri(kind: ProblemKind): string {
  return `urn:install-orchestrator:problem:${problems[kind].slug}`;
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  kind: ProblemKind,
  detail: string,
  extensions: Record<string, unknown> = {},
): FastifyReply {
  const problem = problems[kind];
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send({
      type: problemTypeUri(kind),
      title: problem.title,
      status: problem.status,
      detail,
      instance: request.url,
      ...extensions,
    });
}

// Update validators in the workflow reject with these types; each maps to what the caller did wrong.
const rejectionKinds: Record<string, ProblemKind> = {
  InvalidRoleArn: 'invalidRoleArn',
  InvalidRunnerToken: 'invalidRunnerToken',
  InstallIdTaken: 'installIdTaken',
  CallbackUsed: 'callbackUsed',
  CallbackExpired: 'callbackExpired',
  CallbackSuperseded: 'invalidCallbackToken',
  StackInWrongAccount: 'invalidRequest',
  ExternalIdRotationPending: 'externalIdRotationPending',
  InvalidRotationRequest: 'invalidRequest',
};

/** One place that turns every error into a problem document, so no route leaks a stack trace or a secret. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof Problem) return sendProblem(reply, request, error.kind, error.detail, error.extensions);
  if (error instanceof InstallNotFoundError) return sendProblem(reply, request, 'installNotFound', error.message);
  if (error instanceof InstallConflictError) {
    return sendProblem(reply, request, rejectionKinds[error.reason] ?? 'wrongPhase', error.message, {
      reason: error.reason,
      ...error.details,
    });
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return sendProblem(reply, request, 'invalidRequest', error.message, {
      errors: fastifyError.validation.map((issue) => ({ path: issue.instancePath || '/', message: issue.message })),
    });
  }
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return sendProblem(reply, request, 'payloadTooLarge', error.message);
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return sendProblem(reply, request, 'unsupportedMediaType', error.message);
  }
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return sendProblem(reply, request, 'invalidRequest', error.message);
  }
  if (isTemporalUnavailable(error)) {
    // Under load a status query can outwait its deadline; the install is fine, the answer is late.
    request.log.warn({ err: error }, 'Temporal did not answer in time');
    reply.header('retry-after', String(temporalRetryAfterSeconds));
    return sendProblem(reply, request, 'temporalUnavailable', 'Temporal did not answer in time; retry shortly.');
  }
  request.log.error({ err: error }, 'request failed');
  return sendProblem(reply, request, 'internal', 'The request could not be completed; see the server log.');
}
