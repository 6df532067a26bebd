import { readFileSync } from 'node:fs';
import type { LocalAccounts } from '../../devstack/local-accounts';

declare global {
  var __testStackCleanups: Array<() => Promise<void>> | undefined;
}

export const testStackFileEnv = 'INSTALL_ORCHESTRATOR_TEST_STACK';

/** Where the servers globalSetup started answer, and the local AWS identities it created. */
export interface TestStack {
  temporalAddress: string;
  temporalUiUrl: string;
  awsEndpoint: string;
  curEndpoint: string;
  dataExportsEndpoint: string;
  accounts: LocalAccounts;
  logDir: string;
  workflowBundlePath: string;
  /** Launcher of the time-skipping test server, for workflow tests whose timers run for hours or days. */
  timeSkippingServerPath: string;
}

export function readTestStack(): TestStack {
  const file = process.env[testStackFileEnv];
  if (!file) throw new Error(`${testStackFileEnv} is not set: run tests through jest so globalSetup starts the stack.`);
  return JSON.parse(readFileSync(file, 'utf8')) as TestStack;
}
