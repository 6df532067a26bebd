import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { TemporalConfig } from './deployment';

/** Connection options for a local server, a self-hosted cluster (mTLS) or Temporal Cloud (API key). */
export function temporalConnectionOptions(temporal: TemporalConfig): {
  address: string;
  apiKey?: string;
  tls?: TLSConfig | boolean;
} {
  return {
    address: temporal.address,
    apiKey: temporal.apiKey,
    tls: temporal.tls
      ? { clientCertPair: { crt: readFileSync(temporal.tls.certPath), key: readFileSync(temporal.tls.keyPath) } }
      : temporal.apiKey
        ? true
        : undefined,
  };
}
