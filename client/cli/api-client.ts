/** A thin client for the HTTP API; problem documents become errors that say what went wrong. */
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

export class ApiClient {
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.doFetch = options.fetch ?? fetch;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await this.doFetch(`${this.options.baseUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers: {
        ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed =
      text && response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : text;
    if (!response.ok) {
      const problem = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
        type?: string;
        title?: string;
        detail?: string;
      };
      throw new ApiError(response.status, problem.type, problem.detail ?? problem.title ?? `HTTP ${response.status}`);
    }
    return { status: response.status, body: parsed as T };
  }

  async download(path: string): Promise<string> {
    const { body } = await this.request<string | object>('GET', path);
    return typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`;
  }
}
