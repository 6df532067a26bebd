import {
  DeleteReportDefinitionCommand,
  DescribeReportDefinitionsCommand,
  ModifyReportDefinitionCommand,
  PutReportDefinitionCommand,
  type CostAndUsageReportServiceClient,
  type ReportDefinition,
} from '@aws-sdk/client-cost-and-usage-report-service';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  PutBucketTaggingCommand,
  type Tag,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  includesDataExport,
  includesLegacyReport,
  renderDataExportBucketPolicyStatements,
  type CostReportKind,
} from '../domain/data-export';
import {
  costReportDifferences,
  curBucketPolicySidPrefix,
  mergeCurStatements,
  renderCostReportDefinition,
  renderCurBucketPolicyStatements,
  sameCostReportDefinition,
  withoutCurStatements,
  type CostReportDefinition,
  type CostReportSpec,
} from '../domain/cost-report';
import type { PolicyDocument } from '../domain/policy-document';
import { accountOfArn } from '../domain/arn';
import type { CustomerAccessInput } from '../domain/customer-access';
import { awsErrorCode, callAws, rethrowAwsError } from './aws/errors';
import type { ActivityDeps } from './deps';

async function readBucketPolicy(s3: S3Client, bucket: string): Promise<PolicyDocument | undefined> {
  try {
    const response = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    return response.Policy ? (JSON.parse(response.Policy) as PolicyDocument) : undefined;
  } catch (error) {
    if (awsErrorCode(error) === 'NoSuchBucketPolicy') return undefined;
    rethrowAwsError(error, 's3:GetBucketPolicy');
  }
}

export const installTagKey = 'install-orchestrator:install-id';

async function bucketExists(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return false;
    if (status === 403) {
      throw ApplicationFailure.nonRetryable(
        `The bucket ${bucket} exists but the role may not read it: it belongs to another account, or the role lacks s3:ListBucket on it.`,
        'BucketNameTaken',
      );
    }
    rethrowAwsError(error, 's3:HeadBucket');
  }
}

async function bucketTags(s3: S3Client, bucket: string): Promise<Tag[]> {
  try {
    return (await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet ?? [];
  } catch (error) {
    if (awsErrorCode(error) === 'NoSuchTagSet') return [];
    rethrowAwsError(error, 's3:GetBucketTagging');
  }
}

async function describeReport(
  cur: CostAndUsageReportServiceClient,
  reportName: string,
): Promise<ReportDefinition | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await callAws('cur:DescribeReportDefinitions', () =>
      cur.send(new DescribeReportDefinitionsCommand({ NextToken: nextToken })),
    );
    const found = page.ReportDefinitions?.find((definition) => definition.ReportName === reportName);
    if (found) return found;
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

/** The definition an activity is asked for: rendered from the spec, or as sent whole by an older run. */
function wantedDefinition(input: { spec?: CostReportSpec; definition?: CostReportDefinition }): CostReportDefinition {
  if (input.definition) return input.definition;
  if (input.spec) return renderCostReportDefinition(input.spec);
  throw ApplicationFailure.nonRetryable('The cost report request names neither a spec nor a definition.', 'BadRequest');
}

export function createCostReportActivities(deps: ActivityDeps) {
  return {
    /**
     * Creates the CUR bucket and tags it with the install id. The tag is how a retry tells "we made it" from "the
     * customer already had it": us-east-1 answers CreateBucket on an owned bucket with 200, so the answer cannot.
     * Only a bucket the install made is ever deleted by teardown. Between CreateBucket and the tag, an attempt can
     * die with the answer lost: so before asking S3 to create, the attempt heartbeats that it saw no bucket, and a
     * retry that finds the bucket untagged after that claim knows it is ours and tags it.
     */
    async ensureCurBucket(input: {
      access: CustomerAccessInput;
      bucket: string;
    }): Promise<{ createdByInstall: boolean }> {
      const { clients, access } = await deps.sessions.session(input.access);
      const { s3 } = clients;
      const ownerTag = { Key: installTagKey, Value: access.installId };
      const earlier = Context.current().info.heartbeatDetails as { absentBeforeCreate?: boolean } | undefined;
      if (await bucketExists(s3, input.bucket)) {
        const tagged = (await bucketTags(s3, input.bucket)).some(
          (tag) => tag.Key === ownerTag.Key && tag.Value === ownerTag.Value,
        );
        if (tagged || earlier?.absentBeforeCreate !== true) return { createdByInstall: tagged };
        await callAws('s3:PutBucketTagging', () =>
          s3.send(new PutBucketTaggingCommand({ Bucket: input.bucket, Tagging: { TagSet: [ownerTag] } })),
        );
        return { createdByInstall: true };
      }
      Context.current().heartbeat({ absentBeforeCreate: true });
      // us-east-1 is the one region that rejects an explicit LocationConstraint.
      const configuration =
        access.region === 'us-east-1' ? undefined : { LocationConstraint: access.region as BucketLocationConstraint };
      try {
        await s3.send(new CreateBucketCommand({ Bucket: input.bucket, CreateBucketConfiguration: configuration }));
      } catch (error) {
        const code = awsErrorCode(error);
        if (code === 'BucketAlreadyExists') {
          throw ApplicationFailure.nonRetryable(
            `The bucket name ${input.bucket} is taken by another AWS account; choose another CUR bucket name.`,
            'BucketNameTaken',
          );
        }
        if (code !== 'BucketAlreadyOwnedByYou') rethrowAwsError(error, 's3:CreateBucket');
      }
      await callAws('s3:PutBucketTagging', () =>
        s3.send(new PutBucketTaggingCommand({ Bucket: input.bucket, Tagging: { TagSet: [ownerTag] } })),
      );
      return { createdByInstall: true };
    },

    /** Adds the billing service's delivery statements to the bucket policy, keeping any statements of the customer. */
    async applyCurBucketPolicy(input: {
      access: CustomerAccessInput;
      bucket: string;
      partition: string;
      kind?: CostReportKind;
    }): Promise<void> {
      const { clients, access } = await deps.sessions.session(input.access);
      const { s3 } = clients;
      const accountId = accountOfArn(access.roleArn) ?? '';
      const existing = await readBucketPolicy(s3, input.bucket);
      const target = { partition: input.partition, accountId, bucket: input.bucket };
      const policy = mergeCurStatements(existing, [
        ...(includesLegacyReport(input.kind) ? renderCurBucketPolicyStatements(target) : []),
        ...(includesDataExport(input.kind)
          ? renderDataExportBucketPolicyStatements({ ...target, sidPrefix: curBucketPolicySidPrefix })
          : []),
      ]);
      await callAws('s3:PutBucketPolicy', () =>
        s3.send(new PutBucketPolicyCommand({ Bucket: input.bucket, Policy: JSON.stringify(policy) })),
      );
    },

    /** Put, or leave alone when identical, or Modify when a definition of that name says something else. */
    async defineCostReport(input: {
      access: CustomerAccessInput;
      spec?: CostReportSpec;
      /** Sent whole by runs scheduled before the spec; either one is enough. */
      definition?: CostReportDefinition;
    }): Promise<{ result: 'created' | 'unchanged' | 'modified' }> {
      const definition = wantedDefinition(input);
      const { cur } = await deps.sessions.clients(input.access);
      try {
        await cur.send(new PutReportDefinitionCommand({ ReportDefinition: definition }));
        return { result: 'created' };
      } catch (error) {
        if (awsErrorCode(error) !== 'DuplicateReportNameException') rethrowAwsError(error, 'cur:PutReportDefinition');
      }
      const existing = await describeReport(cur, definition.ReportName);
      if (existing && sameCostReportDefinition(existing as Partial<CostReportDefinition>, definition)) {
        return { result: 'unchanged' };
      }
      await callAws('cur:ModifyReportDefinition', () =>
        cur.send(
          new ModifyReportDefinitionCommand({
            ReportName: definition.ReportName,
            ReportDefinition: definition,
          }),
        ),
      );
      return { result: 'modified' };
    },

    /**
     * Read-only: whether the definition is still there and still says what the install set (the customer can edit or
     * delete it in the Billing console, and then reports stop or change shape without anyone noticing).
     */
    async inspectCostReport(input: {
      access: CustomerAccessInput;
      spec?: CostReportSpec;
      /** Sent whole by runs scheduled before the spec; either one is enough. */
      definition?: CostReportDefinition;
    }): Promise<{ present: boolean; differences: string[] }> {
      const definition = wantedDefinition(input);
      const { cur } = await deps.sessions.clients(input.access);
      const existing = await describeReport(cur, definition.ReportName);
      if (!existing) return { present: false, differences: [] };
      return {
        present: true,
        differences: costReportDifferences(existing as Partial<CostReportDefinition>, definition),
      };
    },

    /** Read-only: the first delivery manifest under the report's folder, if AWS has delivered one yet. */
    async findReportManifest(input: {
      access: CustomerAccessInput;
      bucket: string;
      keyPrefix: string;
      fileName: string;
    }): Promise<{ key?: string; deliveredAt?: string }> {
      const { s3 } = await deps.sessions.clients(input.access);
      let continuationToken: string | undefined;
      do {
        const page = await callAws('s3:ListObjectsV2', () =>
          s3.send(
            new ListObjectsV2Command({
              Bucket: input.bucket,
              Prefix: input.keyPrefix,
              ContinuationToken: continuationToken,
            }),
          ),
        );
        const manifest = page.Contents?.find((object) => object.Key?.endsWith(`/${input.fileName}`));
        if (manifest) return { key: manifest.Key, deliveredAt: manifest.LastModified?.toISOString() };
        continuationToken = page.NextContinuationToken;
      } while (continuationToken);
      return {};
    },

    /** Deletes the definition; one that is already gone is success. */
    async deleteCostReport(input: { access: CustomerAccessInput; reportName: string }): Promise<{ deleted: boolean }> {
      const { cur } = await deps.sessions.clients(input.access);
      try {
        await cur.send(new DeleteReportDefinitionCommand({ ReportName: input.reportName }));
        return { deleted: true };
      } catch (error) {
        const code = awsErrorCode(error);
        const missing =
          code === 'ResourceNotFoundException' ||
          (code === 'ValidationException' && /does not exist/i.test((error as Error).message));
        if (missing) return { deleted: false };
        rethrowAwsError(error, 'cur:DeleteReportDefinition');
      }
    },

    /**
     * Deletes the objects in the folders the install's reports write (costReportFolders), a page at a time,
     * heartbeating the running count. Nothing outside them is listed or deleted: the prefix, and the bucket, may hold
     * the customer's own objects.
     */
    async emptyCurPrefix(input: {
      access: CustomerAccessInput;
      bucket: string;
      folders: string[];
    }): Promise<{ deletedObjects: number }> {
      const { s3 } = await deps.sessions.clients(input.access);
      const context = Context.current();
      let deletedObjects = 0;
      for (const folder of input.folders) {
        if (!folder.endsWith('/')) throw ApplicationFailure.nonRetryable(`Not a folder: ${folder}`, 'NotAFolder');
        for (;;) {
          let page;
          try {
            page = await s3.send(new ListObjectsV2Command({ Bucket: input.bucket, Prefix: folder }));
          } catch (error) {
            if (awsErrorCode(error) === 'NoSuchBucket') return { deletedObjects };
            rethrowAwsError(error, 's3:ListObjectsV2');
          }
          const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
          if (keys.length === 0) break;
          const deleted = await callAws('s3:DeleteObjects', () =>
            s3.send(new DeleteObjectsCommand({ Bucket: input.bucket, Delete: { Objects: keys, Quiet: true } })),
          );
          // DeleteObjects answers 200 even when it deletes nothing; the refusals are per key. Listing again would
          // find the same keys forever.
          const refused = deleted.Errors ?? [];
          if (refused.length > 0) {
            const first = refused[0]!;
            throw ApplicationFailure.nonRetryable(
              `S3 refused to delete ${refused.length} object(s), e.g. ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim(),
              first.Code ?? 'DeleteObjectsRefused',
              { awsErrorCode: first.Code, operation: 's3:DeleteObjects' },
            );
          }
          deletedObjects += keys.length;
          context.heartbeat({ deletedObjects });
        }
      }
      return { deletedObjects };
    },

    /** Takes our statements out of the bucket policy, deleting the policy if nothing of the customer's remains. */
    async removeCurBucketPolicy(input: { access: CustomerAccessInput; bucket: string }): Promise<void> {
      const { s3 } = await deps.sessions.clients(input.access);
      let existing;
      try {
        existing = await readBucketPolicy(s3, input.bucket);
      } catch (error) {
        if (error instanceof ApplicationFailure && error.type === 'NoSuchBucket') return;
        throw error;
      }
      if (!existing) return;
      const remaining = withoutCurStatements(existing);
      if (remaining) {
        await callAws('s3:PutBucketPolicy', () =>
          s3.send(new PutBucketPolicyCommand({ Bucket: input.bucket, Policy: JSON.stringify(remaining) })),
        );
      } else {
        await callAws('s3:DeleteBucketPolicy', () => s3.send(new DeleteBucketPolicyCommand({ Bucket: input.bucket })));
      }
    },

    async deleteCurBucket(input: { access: CustomerAccessInput; bucket: string }): Promise<{ deleted: boolean }> {
      const { s3 } = await deps.sessions.clients(input.access);
      try {
        await s3.send(new DeleteBucketCommand({ Bucket: input.bucket }));
        return { deleted: true };
      } catch (error) {
        if (awsErrorCode(error) === 'NoSuchBucket') return { deleted: false };
        rethrowAwsError(error, 's3:DeleteBucket');
      }
    },
  };
}
