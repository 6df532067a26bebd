import {
  BCMDataExportsClient,
  GetExportCommand,
  paginateListExports,
  type Export,
} from '@aws-sdk/client-bcm-data-exports';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStacksCommand,
  paginateListStacks,
} from '@aws-sdk/client-cloudformation';
import {
  CostAndUsageReportServiceClient,
  DescribeReportDefinitionsCommand,
  type ReportDefinition,
} from '@aws-sdk/client-cost-and-usage-report-service';
import { IAMClient, paginateListRoles } from '@aws-sdk/client-iam';
import {
  GetBucketPolicyCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { installResourceNames, runnerRoleName, type InstallResourceInput } from '../domain/install-names';
import { customerAccount, stack } from './helpers';

/** Reads the customer account as its administrator would: what tests assert the install did or undid. */
export function customerClients(account = customerAccount) {
  const common = { region: 'us-east-1', credentials: account.credentials };
  return {
    cloudFormation: new CloudFormationClient({ ...common, endpoint: stack.awsEndpoint }),
    s3: new S3Client({ ...common, endpoint: stack.awsEndpoint, forcePathStyle: true }),
    cur: new CostAndUsageReportServiceClient({ ...common, endpoint: stack.curEndpoint }),
    iam: new IAMClient({ ...common, endpoint: stack.awsEndpoint }),
    dataExports: new BCMDataExportsClient({ ...common, endpoint: stack.dataExportsEndpoint }),
  };
}

export async function stackStatus(stackName: string): Promise<string | undefined> {
  try {
    const response = await customerClients().cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return response.Stacks?.[0]?.StackStatus;
  } catch (error) {
    if ((error as Error).message.includes('does not exist')) return undefined;
    throw error;
  }
}

export async function bucketExists(bucket: string): Promise<boolean> {
  try {
    await customerClients().s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

/** Every key in the bucket, sorted (the tests' buckets hold a handful). */
export async function objectKeys(bucket: string): Promise<string[]> {
  const { s3 } = customerClients();
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

export async function bucketPolicy(bucket: string): Promise<{ Statement: Array<Record<string, unknown>> }> {
  const response = await customerClients().s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
  return JSON.parse(response.Policy!) as { Statement: Array<Record<string, unknown>> };
}

export async function reportDefinition(reportName: string): Promise<ReportDefinition | undefined> {
  const { cur } = customerClients();
  let nextToken: string | undefined;
  do {
    const page = await cur.send(new DescribeReportDefinitionsCommand({ NextToken: nextToken }));
    const found = page.ReportDefinitions?.find((definition) => definition.ReportName === reportName);
    if (found) return found;
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

/** The CUR 2.0 export of this name, as GetExport answers, or undefined when there is none. */
export async function dataExportNamed(exportName: string): Promise<Export | undefined> {
  const { dataExports } = customerClients();
  for await (const page of paginateListExports({ client: dataExports }, {})) {
    const found = page.Exports?.find((reference) => reference.ExportName === exportName);
    if (found) return (await dataExports.send(new GetExportCommand({ ExportArn: found.ExportArn }))).Export;
  }
  return undefined;
}

/** Stacks of this name that are not deleted: exactly one while an install is up, none after. */
export async function liveStacksNamed(stackName: string): Promise<number> {
  const response = await customerClients().cloudFormation.send(new ListStacksCommand({}));
  return (response.StackSummaries ?? []).filter(
    (summary) => summary.StackName === stackName && summary.StackStatus !== 'DELETE_COMPLETE',
  ).length;
}

/**
 * Everything in the customer account, one listing per kind: what a census compares with the installs that should
 * (or should no longer) own something. Stacks include deleted ones, each with its own id.
 */
export async function accountCensus(): Promise<{
  stacks: Array<{ name: string; id: string; status: string }>;
  buckets: string[];
  reports: string[];
  dataExports: string[];
  roles: string[];
}> {
  const { cloudFormation, s3, cur, dataExports, iam } = customerClients();
  const stacks: Array<{ name: string; id: string; status: string }> = [];
  for await (const page of paginateListStacks({ client: cloudFormation }, {})) {
    for (const summary of page.StackSummaries ?? []) {
      stacks.push({ name: summary.StackName ?? '', id: summary.StackId ?? '', status: summary.StackStatus ?? '' });
    }
  }
  const buckets = ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((bucket) => bucket.Name ?? '');
  const reports: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cur.send(new DescribeReportDefinitionsCommand({ NextToken: nextToken }));
    reports.push(...(page.ReportDefinitions ?? []).map((definition) => definition.ReportName ?? ''));
    nextToken = page.NextToken;
  } while (nextToken);
  const exportNames: string[] = [];
  for await (const page of paginateListExports({ client: dataExports }, {})) {
    exportNames.push(...(page.Exports ?? []).map((reference) => reference.ExportName ?? ''));
  }
  const roles: string[] = [];
  for await (const page of paginateListRoles({ client: iam }, {})) {
    roles.push(...(page.Roles ?? []).map((role) => role.RoleName ?? ''));
  }
  return { stacks, buckets, reports, dataExports: exportNames, roles };
}

/** What a census counts for each install: one number per install per kind, in the order the inputs were given. */
export interface InstallsCensus {
  /** Stacks not deleted: exactly one while an install is up, none after. */
  liveStacks: number[];
  /** Every stack ever created under the install's name, deleted ones included: one, never two. */
  stacksEverCreated: number[];
  curBuckets: number[];
  sandboxBuckets: number[];
  reports: number[];
  dataExports: number[];
  /** The sandbox's runner role (`<prefix>runner`): the only role the runner may check in as. */
  runnerRoles: number[];
}

/** How many of each resource each of these installs owns in the customer account, from one listing per kind. */
export async function installsCensus(inputs: InstallResourceInput[]): Promise<InstallsCensus> {
  const census = await accountCensus();
  const owned = inputs.map((input) => installResourceNames(input));
  const count = <T>(items: T[], isOwn: (item: T, names: (typeof owned)[number]) => boolean) =>
    owned.map((names) => items.filter((item) => isOwn(item, names)).length);
  return {
    liveStacks: count(census.stacks, (s, names) => s.name === names.stackName && s.status !== 'DELETE_COMPLETE'),
    stacksEverCreated: count(census.stacks, (s, names) => s.name === names.stackName),
    curBuckets: count(census.buckets, (bucket, names) => bucket === names.curBucket),
    sandboxBuckets: count(census.buckets, (bucket, names) => bucket.startsWith(names.sandboxResourcePrefix)),
    reports: count(census.reports, (report, names) => report === names.curReportName),
    dataExports: count(census.dataExports, (name, names) => name === names.dataExportName),
    runnerRoles: count(census.roles, (role, names) => role === runnerRoleName(names.sandboxResourcePrefix)),
  };
}

/**
 * What the census of installs with a legacy CUR report (no CUR 2.0 export) must show: one of each kind per install
 * while it is up, none of anything after, and one stack ever created either way.
 */
export function expectedCensus(installs: number, when: 'up' | 'deprovisioned'): InstallsCensus {
  const each = (n: number) => Array.from({ length: installs }, () => n);
  const live = when === 'up' ? 1 : 0;
  return {
    liveStacks: each(live),
    stacksEverCreated: each(1),
    curBuckets: each(live),
    sandboxBuckets: each(live),
    reports: each(live),
    dataExports: each(0),
    runnerRoles: each(live),
  };
}
