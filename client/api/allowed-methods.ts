/**
 * Which methods a path answers, for 405 Method Not Allowed (RFC 9110 §15.5.6): the routes by pattern, and for a
 * concrete path the most specific pattern that matches it, as OpenAPI resolves paths (a literal segment before a
 * parameter), so POST-only `/installs/{installId}/onboarding/restart` is not a GET of the file named "restart".
 */
export class AllowedMethods {
  private readonly routes = new Map<string, { pattern: RegExp; literals: number; methods: Set<string> }>();

  /** Adds a Fastify route (`/installs/:installId`); HEAD routes Fastify adds to each GET are not the contract's. */
  add(method: string | readonly string[], url: string): void {
    const segments = url.split('/');
    const entry = this.routes.get(url) ?? {
      pattern: new RegExp(
        `^${segments.map((segment) => (segment.startsWith(':') ? '[^/]+' : escapeRegExp(segment))).join('/')}$`,
      ),
      literals: segments.filter((segment) => !segment.startsWith(':')).length,
      methods: new Set<string>(),
    };
    for (const one of typeof method === 'string' ? [method] : method) if (one !== 'HEAD') entry.methods.add(one);
    this.routes.set(url, entry);
  }

  /** The route pattern a path belongs to and its methods, or undefined when no route has the path. */
  lookup(path: string): { url: string; methods: string[] } | undefined {
    let best: { url: string; literals: number; methods: Set<string> } | undefined;
    for (const [url, route] of this.routes) {
      if (route.pattern.test(path) && (!best || route.literals > best.literals)) best = { url, ...route };
    }
    return best && { url: best.url, methods: [...best.methods].sort() };
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
