import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateMotoPython } from '../devstack/tools';

export interface CloudFormationResponse {
  Status: string;
  Reason: string;
  PhysicalResourceId: string;
  RequestId: string;
  Data: { Callback: string };
}

/**
 * Runs a role template's own Lambda code (taken from the rendered template, so the test runs what customers deploy:
 * an install's `roleTemplate` or an organization's `managementRoleTemplate`) with a CloudFormation custom-resource
 * event, and returns what it answered CloudFormation at ResponseURL.
 */
export async function invokeCallbackFunction(
  template: Record<string, unknown>,
  event: { RequestType: 'Create' | 'Update' | 'Delete'; StackId: string; ResourceProperties: Record<string, string> },
): Promise<CloudFormationResponse> {
  const resources = template.Resources as Record<string, { Properties: { Code?: { ZipFile: string } } }>;
  const source = resources.RoleCallbackFunction!.Properties.Code!.ZipFile;
  const answers: CloudFormationResponse[] = [];
  const cloudFormation = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      answers.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as CloudFormationResponse);
      response.end();
    });
  });
  await new Promise<void>((resolve) => cloudFormation.listen(0, '127.0.0.1', resolve));
  const directory = mkdtempSync(join(tmpdir(), 'role-callback-'));
  try {
    writeFileSync(join(directory, 'index.py'), source);
    const { port } = cloudFormation.address() as AddressInfo;
    const fullEvent = {
      ...event,
      ResponseURL: `http://127.0.0.1:${port}/response`,
      RequestId: 'request-1',
      LogicalResourceId: 'RoleCallback',
      ResourceType: 'Custom::InstallRoleCallback',
    };
    const python = locateMotoPython();
    if (!python) throw new Error('no Python found: run the tests through npm test, whose set-up installs it');
    // Not spawnSync: the API the function calls runs in this same process and must keep answering.
    const run = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(python, ['-c', 'import json, sys, index; index.handler(json.load(sys.stdin), None)'], {
        cwd: directory,
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (status) => resolve({ status, stderr }));
      child.stdin.end(JSON.stringify(fullEvent));
    });
    if (run.status !== 0) throw new Error(`the callback function failed: ${run.stderr}`);
    if (answers.length !== 1) throw new Error(`the callback function answered CloudFormation ${answers.length} times`);
    return answers[0]!;
  } finally {
    rmSync(directory, { recursive: true, force: true });
    cloudFormation.close();
  }
}
