import type { FastifyInstance } from 'fastify';
import responseSchemas from './contract/response-schemas.json';
import { problems, problemTypeUri, type ProblemKind } from './problems';

/*
 * The contract's pieces the routes declare their answers with. The answers' schemas come from the TypeScript types in
 * responses.ts (generated into contract/response-schemas.json by `npm run generate:api`); Fastify serializes each
 * answer with its schema, and @fastify/swagger puts them in /openapi.json as components.
 */

export type ResponseSchemaName = keyof typeof responseSchemas.definitions;

type Schema = Record<string, unknown>;

/** `#/definitions/X` in the generated file is the shared schema `X#` to Fastify, `#/components/schemas/X` in OpenAPI. */
function asSharedRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asSharedRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string' ? `${inner.replace('#/definitions/', '')}#` : asSharedRefs(inner),
    ]),
  );
}

/** Every problem `type` the API answers with, from `problems` in problems.ts. */
export const problemTypeUris = (Object.keys(problems) as ProblemKind[]).map(problemTypeUri);

/**
 * RFC 9457 problem details; open (`additionalProperties`), because a problem may carry extensions beyond the ones
 * named here and the serializer must not drop them.
 */
const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details. Branch on `type`; `detail` is for people.',
  required: ['type', 'title', 'status', 'detail', 'instance'],
  properties: {
    type: { type: 'string', enum: problemTypeUris },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request path (and query) this problem answers.' },
    errors: {
      type: 'array',
      description: 'What was wrong with the request, one entry per field (JSON pointer and message).',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
        additionalProperties: true,
      },
    },
    reason: { type: 'string', description: "The workflow's reason for refusing (e.g. `WrongPhase`, `CallbackUsed`)." },
    code: { type: 'string', description: 'The error catalog code of a refused role ARN.' },
    // The phase that refused: an install's, or an organization install's (its own phases).
    phase: { anyOf: [{ $ref: 'InstallPhase#' }, { $ref: 'OrganizationInstallPhase#' }] },
    restart: { type: 'string', description: 'Where to ask for a fresh onboarding callback.' },
  },
  additionalProperties: true,
} as const;

/** Registers the answers' schemas and the Problem schema as shared schemas (OpenAPI components). */
export function registerContractSchemas(app: FastifyInstance): void {
  for (const [name, schema] of Object.entries(responseSchemas.definitions)) {
    app.addSchema({ $id: name, ...(asSharedRefs(schema) as Schema) });
  }
  app.addSchema(problemSchema);
}

const json = 'application/json';
const problemJson = 'application/problem+json';

export const securitySchemes = {
  apiKey: { type: 'http', scheme: 'bearer', description: "The vendor's API key, bound to the orgs it serves." },
  callbackToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      "The install's one-time onboarding callback token, carried by the role template's custom resource (never " +
      'an API key).',
  },
  metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when the API is given one.' },
} as const;

/** Headers a problem answer may carry. */
const problemHeaders: Partial<Record<number, Schema>> = {
  429: { 'retry-after': { type: 'string', description: 'Seconds until the allowance refills.' } },
  503: { 'retry-after': { type: 'string', description: 'Seconds to wait before retrying (temporal-unavailable).' } },
};

function problemExample(kind: ProblemKind) {
  const { title, status } = problems[kind];
  return {
    summary: title,
    value: { type: problemTypeUri(kind), title, status, detail: `${title}.`, instance: '/installs/inst-0123456789' },
  };
}

export interface Answer {
  schema: ResponseSchemaName;
  /** Defaults to the type's TSDoc in responses.ts. */
  description?: string;
  example?: unknown;
  headers?: Schema;
}

/**
 * A route's `response` schema: its successful answers by status, and every problem it can answer (grouped by
 * status, each with its `type` named in the description and an example).
 *
 * @example
 * schema: { response: answers({ 200: { schema: 'InstallEnvelope' } }, ['invalidRequest', 'unauthorized']) }
 */
export function answers(success: Partial<Record<200 | 201 | 202, Answer>>, problemKinds: readonly ProblemKind[]) {
  const response: Record<string, Schema> = {};
  for (const [status, answer] of Object.entries(success) as Array<[string, Answer]>) {
    const definition = responseSchemas.definitions[answer.schema] as { description?: string };
    response[status] = {
      description: answer.description ?? definition.description ?? answer.schema,
      ...(answer.headers ? { headers: answer.headers } : {}),
      content: {
        [json]: { schema: { $ref: `${answer.schema}#` }, ...(answer.example ? { example: answer.example } : {}) },
      },
    };
  }
  const byStatus = new Map<number, ProblemKind[]>();
  for (const kind of problemKinds)
    byStatus.set(problems[kind].status, [...(byStatus.get(problems[kind].status) ?? []), kind]);
  for (const [status, kinds] of [...byStatus].sort(([a], [b]) => a - b)) {
    response[String(status)] = {
      description: kinds.map((kind) => `\`${problemTypeUri(kind)}\`: ${problems[kind].title}.`).join(' '),
      ...(problemHeaders[status] ? { headers: problemHeaders[status] } : {}),
      content: {
        [problemJson]: {
          schema: { $ref: 'Problem#' },
          examples: Object.fromEntries(kinds.map((kind) => [problems[kind].slug, problemExample(kind)])),
        },
      },
    };
  }
  return response;
}

/** What every route that reads an install by id may answer besides its own: the install is not there, or not yours. */
export const installRouteProblems = ['invalidRequest', 'installNotFound', 'temporalUnavailable'] as const;
/** What a vendor route (API key) may answer when the key is missing or wrong. */
export const vendorAuthProblems = ['unauthorized', 'tooManyRequests'] as const;
/** What any route with a JSON body may answer about the body itself. */
export const bodyProblems = ['invalidRequest', 'payloadTooLarge', 'unsupportedMediaType'] as const;

/** What a role template's callback route may answer besides the common ones (install and organization alike). */
export const callbackProblems = [
  'invalidRoleArn',
  'invalidCallbackToken',
  'tooManyRequests',
  'callbackUsed',
  'wrongPhase',
  'callbackExpired',
] as const;

/** The operations a client can go on to with an install's id (OpenAPI links; schemathesis follows them). */
export type InstallOperation =
  | 'getInstall'
  | 'getOnboardingKit'
  | 'restartOnboarding'
  | 'submitRoleArn'
  | 'decideApproval'
  | 'getRunnerRegistration'
  | 'deprovisionInstall'
  | 'getPermissions'
  | 'recheckPermissions';

/**
 * OpenAPI links from an answer to the operations that take the same install: `installId` is read from the answer
 * (`$response.body#/install/installId`) or from the request's path (`$request.path.installId`).
 *
 * @example
 * links: { 201: linksTo(['getInstall', 'submitRoleArn'], '$response.body#/install/installId') }
 */
export function linksTo(operations: readonly InstallOperation[], installId: string) {
  return Object.fromEntries(operations.map((operationId) => [operationId, { operationId, parameters: { installId } }]));
}

interface DocumentOperation {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: { type?: unknown } }> };
}

/**
 * @fastify/swagger marks every request body required; a body whose schema also takes `null` (Fastify's "no body")
 * is optional, and the document says so.
 */
export function markOptionalBodies<T extends { paths?: object }>(document: T): T {
  for (const operations of Object.values(document.paths ?? {}) as Array<Record<string, DocumentOperation>>) {
    for (const operation of Object.values(operations)) {
      const schemas = Object.values(operation.requestBody?.content ?? {}).map((media) => media.schema);
      if (
        operation.requestBody &&
        schemas.some((schema) => Array.isArray(schema?.type) && schema.type.includes('null'))
      ) {
        operation.requestBody.required = false;
      }
    }
  }
  return document;
}
