import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from '../api/contract/openapi-types';

/*
 * The typed client of the HTTP API, built by openapi-fetch from the types openapi-typescript generated from the
 * OpenAPI document (`npm run generate:api`): a path, parameter or field the document does not have is a tsc error.
 */

/** The answers' schemas as the document declares them, e.g. `ApiSchemas['InstallStatus']`. */
export type ApiSchemas = components['schemas'];
export type InstallApi = Client<paths>;
/** The operations' parameters and answers by operationId, e.g. `ApiOperations['listInstalls']`. */
export type ApiOperations = operations;

/** A problem document as an error that says what went wrong. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problemType: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  apiKey?: string;
  fetch?: typeof fetch;
}

/**
 * @example
 * const api = createApiClient({ baseUrl: 'http://127.0.0.1:3000', apiKey });
 * const { body } = await answered(api.GET('/installs/{installId}', { params: { path: { installId } } }));
 */
export function createApiClient(options: ApiClientOptions): InstallApi {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

interface Answered {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The successful answer's status and body; any other answer becomes an ApiError from its problem document. */
export async function answered<T extends Answered>(
  call: Promise<T>,
): Promise<{ status: number; body: NonNullable<T['data']> }> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const problem = (typeof error === 'object' && error !== null ? error : {}) as {
      type?: string;
      title?: string;
      detail?: string;
    };
    throw new ApiError(response.status, problem.type, problem.detail ?? problem.title ?? `HTTP ${response.status}`);
  }
  return { status: response.status, body: data as NonNullable<T['data']> };
}
