import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpAnswers, startService } from '../service-process';

export interface UiServerSpec {
  binary: string;
  /** The UI's own folder: its configuration goes in `config/cluster.yaml`. */
  dir: string;
  host: string;
  port: number;
  frontendAddress: string;
  namespace: string;
  logFile: string;
  detached: boolean;
}

/**
 * The Temporal UI server pointed at the cluster's frontend, configured as the CLI's dev server configures the UI it
 * embeds (devserver/server.go: UI on, insecure cookies for plain HTTP on loopback). Resolves once it answers.
 */
export function startUiServer(spec: UiServerSpec): Promise<ChildProcess> {
  const configDir = join(spec.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const config = {
    temporalGrpcAddress: spec.frontendAddress,
    host: spec.host,
    port: spec.port,
    enableUi: true,
    defaultNamespace: spec.namespace,
    cors: { cookieInsecure: true },
    notifyOnNewVersion: false,
  };
  writeFileSync(join(configDir, 'cluster.yaml'), `${JSON.stringify(config, null, 2)}\n`);
  return startService({
    name: 'Temporal UI server',
    command: spec.binary,
    args: ['--root', spec.dir, '--config', 'config', '--env', 'cluster', 'start'],
    logFile: spec.logFile,
    detached: spec.detached,
    isReady: () => httpAnswers(`http://${spec.host}:${spec.port}/healthz`),
    readyTimeoutMs: 30_000,
  });
}
