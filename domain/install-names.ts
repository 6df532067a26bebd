import { partitionOfRegion } from './arn';
import type { CostReportKind } from './data-export';

/** Every AWS name an install uses is derived from its id, so a retried or replayed step finds what it made. */

export const installIdPattern = /^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/;

export function isValidInstallId(id: string): boolean {
  return installIdPattern.test(id);
}

export function sandboxStackName(installId: string): string {
  return `install-${installId}-sandbox`;
}

/** STS session names show up in the customer's CloudTrail, so they name the install. */
export function roleSessionName(installId: string, purpose = 'orchestrator'): string {
  return `install-${installId}-${purpose}`.slice(0, 64);
}

export function defaultCurBucketName(installId: string, accountId: string): string {
  return `cur-${accountId}-${installId}`.slice(0, 63).replace(/-+$/, '');
}

export function defaultCurPrefix(installId: string): string {
  return `cur/${installId}`;
}

export function defaultCurReportName(installId: string): string {
  return `install-${installId}`;
}

/**
 * Who the runner that checks in should be, as the status shows it to the vendor: the sandbox's runner role
 * (`<prefix>runner`), whose sessions are the only ones the check-in accepts (domain/runner-identity.ts).
 */
export function expectedRunnerIdentity(names: {
  partition: string;
  accountId: string;
  sandboxResourcePrefix: string;
}): string {
  return `arn:${names.partition}:iam::${names.accountId}:role/${runnerRoleName(names.sandboxResourcePrefix)}`;
}

/** The role the install's runner runs as: `<sandbox prefix>runner` (at most 41 + 6 of IAM's 64 characters). */
export function runnerRoleName(sandboxResourcePrefix: string): string {
  return `${sandboxResourcePrefix}runner`;
}

export function suggestedRoleName(installId: string): string {
  return `install-${installId}-access`.slice(0, 64);
}

/** The ARN of a role named `roleName` in the install's account (the kit's role has no path). */
export function installRoleArn(names: { partition: string; accountId: string }, roleName: string): string {
  return `arn:${names.partition}:iam::${names.accountId}:role/${roleName}`;
}

/** The stack the customer creates from the role template (the quick-create link names it). */
export function roleStackName(installId: string): string {
  return `install-${installId}-access`;
}

/** The runner's artifacts bucket, created by the sandbox template under the install's prefix. */
export function sandboxArtifactsBucketName(resourcePrefix: string, accountId: string): string {
  return `${resourcePrefix}${accountId}-artifacts`;
}

/** The runner's job queue, created by the sandbox template under the install's prefix. */
export function runnerJobsQueueName(resourcePrefix: string): string {
  return `${resourcePrefix}runner-jobs`;
}

/**
 * The prefix of every sandbox resource name (the runner's bucket `<prefix><account id>-artifacts`, its queue
 * `<prefix>runner-jobs`); the install's policies grant `<prefix>*`.
 *
 * `legacy` (`install-<id>-`) is what installs started before scoped prefixes use, and keep using: their roles were
 * granted it. It overlaps: `install-acme-*` also covers `install-acme-prod-…`, and with a 40-character id the
 * bucket name is longer than S3's 63.
 *
 * `scoped` is `i<length>-<id>-`: the length is read up to the first `-`, so two prefixes that start alike have the
 * same length, and one can only start the other if they are equal. No install's grant covers another's names (a
 * prefix-free code), within the characters S3 buckets and SQS queues share (`[a-z0-9-]`). Ids over 36 characters
 * do not fit S3's 63 with the account id and `-artifacts`; for them the id is cut to 27 characters and followed by
 * an 8-character hash of the whole id (`i40-<27 chars>-<hash>-`, always 41 characters). Those stay apart from the
 * others by their length field and from each other unless two ids of the same length share their first 27
 * characters and their 41-bit hash.
 */
export type SandboxNaming = 'legacy' | 'scoped';

/** Bucket names are at most 63 characters: the prefix gets what `<12-digit account id>-artifacts` leaves. */
export const maxSandboxPrefixLength = 63 - 12 - '-artifacts'.length;

const hashedHeadLength = 27;

export function sandboxResourcePrefix(installId: string, naming: SandboxNaming = 'scoped'): string {
  if (naming === 'legacy') return `install-${installId}-`;
  const readable = `i${installId.length}-${installId}-`;
  if (readable.length <= maxSandboxPrefixLength) return readable;
  return `i${installId.length}-${installId.slice(0, hashedHeadLength)}-${hash36(installId)}-`;
}

/**
 * cyrb53 (a public-domain 53-bit string hash) cut to 8 base-36 characters: pure, so the workflow bundle can use it
 * (node:crypto is not available there), and stable across versions because it is written out here.
 */
export function hash36(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ char, 2654435761);
    h2 = Math.imul(h2 ^ char, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const value = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return (value % 36 ** 8).toString(36).padStart(8, '0');
}

export interface InstallResourceNames {
  partition: string;
  accountId: string;
  region: string;
  stackName: string;
  sandboxResourcePrefix: string;
  curBucket: string;
  curPrefix: string;
  /** The legacy report's and the CUR 2.0 export's names: their folders under the prefix are all teardown deletes. */
  curReportName: string;
  dataExportName: string;
  /** Which cost reports the install sets up; the legacy CUR definition when omitted. */
  costReportKind?: CostReportKind;
}

export interface InstallResourceInput {
  installId: string;
  awsAccountId: string;
  region: string;
  cur?: { bucketName?: string; prefix?: string; reportName?: string; kind?: CostReportKind; exportName?: string };
  /** How sandbox names are prefixed: `scoped` unless the install's status says it started before that. */
  sandboxNaming?: SandboxNaming;
}

/** The naming an install's status records; a status without one comes from before scoped prefixes. */
export function sandboxNamingOf(status: { sandboxNaming?: SandboxNaming }): SandboxNaming {
  return status.sandboxNaming ?? 'legacy';
}

/** The names of everything the install creates in the customer account. */
export function installResourceNames(input: InstallResourceInput): InstallResourceNames & {
  costReportKind: CostReportKind;
} {
  return {
    partition: partitionOfRegion(input.region),
    accountId: input.awsAccountId,
    region: input.region,
    stackName: sandboxStackName(input.installId),
    sandboxResourcePrefix: sandboxResourcePrefix(input.installId, input.sandboxNaming ?? 'scoped'),
    curBucket: input.cur?.bucketName ?? defaultCurBucketName(input.installId, input.awsAccountId),
    curPrefix: input.cur?.prefix ?? defaultCurPrefix(input.installId),
    curReportName: input.cur?.reportName ?? defaultCurReportName(input.installId),
    costReportKind: input.cur?.kind ?? 'legacy',
    dataExportName: input.cur?.exportName ?? defaultCurReportName(input.installId),
  };
}
