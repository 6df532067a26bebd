import type { Client } from '@temporalio/client';

/** Each activity the history scheduled, with its input as text: what a test searches for an External ID. */
export function scheduledActivityInputs(history: {
  events?: Array<{
    activityTaskScheduledEventAttributes?: {
      activityType?: { name?: string | null } | null;
      input?: { payloads?: Array<{ data?: Uint8Array | null }> | null } | null;
    } | null;
  }> | null;
}): Array<{ activity: string; input: string }> {
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (!scheduled) return [];
    const input = (scheduled.input?.payloads ?? [])
      .map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8'))
      .join('');
    return [{ activity: scheduled.activityType?.name ?? '', input }];
  });
}

/** History as text with every payload decoded (they arrive base64-encoded), to search it for secrets. */
export function readableHistory(history: unknown): string {
  const decode = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(decode);
    if (node && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node).map(([key, value]) => [
          key,
          key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : decode(value),
        ]),
      );
    }
    return node;
  };
  return JSON.stringify(decode(JSON.parse(JSON.stringify(history))));
}

// Session credentials look like this wherever they come from; field names would betray a leaked credentials object.
// A Standard Webhooks secret (whsec_ and base64) belongs only in the worker's endpoints file, whichever test made it.
const credentialShapes =
  /ASIA[A-Z0-9]{16}|"(SecretAccessKey|SessionToken|secretAccessKey|sessionToken)"|whsec_[A-Za-z0-9+/]{16,}/;

/** Reads every workflow history on the server and reports any that holds a secret or a credential's shape. */
export async function scanHistoriesForSecrets(
  client: Client,
  secrets: string[],
): Promise<{ scanned: number; findings: string[] }> {
  const findings: string[] = [];
  let scanned = 0;
  for await (const execution of client.workflow.list()) {
    const text = readableHistory(await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory());
    scanned += 1;
    if (secrets.some((secret) => text.includes(secret)) || credentialShapes.test(text)) {
      findings.push(`${execution.workflowId}/${execution.runId}`);
    }
  }
  return { scanned, findings };
}
