import type { DurationFloor } from '../../domain/durations';
import type { PermissionSet } from '../../domain/permission-versions';
import type { OidcIssuer } from '../../security/oidc-issuer';
import type { InstallService } from '../install-service';
import type { OrganizationInstallService } from '../organization-install-service';
import type { ApiKey } from './api-keys';
import type { RunnerAttestationOptions } from './runner-attestation';
import type { ApiMetricsOptions } from './telemetry';

/** What the API's routes work with; server.ts builds the app from it and registers the routes. */
export interface ApiOptions {
  installs: InstallService;
  /** Organization installs (/organization-installs); without it those routes answer 404. */
  organizationInstalls?: OrganizationInstallService;
  /** Bearer keys accepted on vendor routes, each bound to its orgs; empty turns authentication off (local only). */
  apiKeys: readonly ApiKey[];
  /** The same key the workers use to derive runner registration tokens; onboarding callback tokens come from it too. */
  runnerTokenKey: Uint8Array;
  namespace: string;
  /** Base URL of the Temporal Web UI, for links in responses. */
  temporalUiUrl?: string;
  /** Whether Temporal answers; /readyz reports it. */
  isReady: () => Promise<boolean>;
  /** Request logging (JSON lines); a stream sends them elsewhere than stdout. */
  logger?: boolean | { stream: NodeJS.WritableStream };
  bodyLimitBytes?: number;
  /** How short an install's timers may be; must match the workers' INSTALL_DURATION_FLOOR. Production by default. */
  durationFloor?: DurationFloor;
  /**
   * Requests without a valid API key (the callback, the runner check-in, refused keys) allowed per client IP in each
   * window. Counted in this process's memory: with N replicas behind a load balancer a client gets up to N times this.
   */
  anonymousRateLimit?: { max: number; timeWindowMs: number };
  /** GET /metrics: its own bearer token (METRICS_TOKEN), how long the phase counts are kept. */
  metrics?: ApiMetricsOptions;
  /** How long a customer link (GET /installs/:id/onboarding's customerUrl) works; 7 days by default, 1 min to 30 days. */
  customerLinkTtlMs?: number;
  /** The API's address as customers reach it, for the customer link; default: the address the vendor's call came to. */
  publicUrl?: string;
  /** The customer page's progress stream: how often it reads an install's status, and how many pages may watch one. */
  customerPage?: { pushIntervalMs?: number; maxStreamsPerInstall?: number };
  /** The permission set's versions; must match the workers' (PERMISSION_VERSIONS_FILE). The versions in code by default. */
  permissionSet?: PermissionSet | (() => PermissionSet);
  /** Where the runner check-in's identity proof is sent: STS's regional endpoint unless AWS_ENDPOINT_URL_STS says. */
  runnerAttestation?: RunnerAttestationOptions;
  /** The OIDC issuer (config/oidc-issuer.ts): its two documents are served, and OIDC installs' kits name it. */
  oidcIssuer?: OidcIssuer;
}

export function installLinks(options: Pick<ApiOptions, 'temporalUiUrl' | 'namespace'>, installId: string) {
  const base = `/installs/${installId}`;
  return {
    self: base,
    onboarding: `${base}/onboarding`,
    roleArn: `${base}/role-arn`,
    deprovision: `${base}/deprovision`,
    ...(options.temporalUiUrl
      ? {
          temporalUi: `${options.temporalUiUrl}/namespaces/${options.namespace}/workflows/${encodeURIComponent(installId)}`,
        }
      : {}),
  };
}
