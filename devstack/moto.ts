import { join } from 'node:path';
import { projectRoot } from './paths';
import { httpAnswers } from './service-process';

export function motoArgs(host: string, port: number): string[] {
  return [join(projectRoot, 'devstack', 'moto_server.py'), '-H', host, '-p', String(port)];
}

export function motoIsServing(url: string): Promise<boolean> {
  return httpAnswers(`${url}/moto-api/`);
}

/**
 * Turns on moto's IAM enforcement (signatures, identity policies, trust policies with sts:ExternalId) for every
 * request from now on. Done after the accounts are bootstrapped, which needs no credentials.
 */
export async function enforceIamInMoto(url: string): Promise<void> {
  const response = await fetch(`${url}/moto-api/reset-auth`, { method: 'POST', body: '0' });
  if (!response.ok) throw new Error(`moto refused to enable IAM enforcement: HTTP ${response.status}`);
}
