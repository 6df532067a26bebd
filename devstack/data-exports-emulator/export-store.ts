import { randomUUID } from 'node:crypto';
import { pageOf } from '../aws-json/page-token';
import type { JsonObject } from '../aws-json/service-error';
import { dataExportsError } from './errors';
import { exportsPerTable, exportsRegion, serviceCode, type ExportDefinition, type ResourceTag } from './model';
import type { DataExportsTable } from './tables';

interface StoredTag {
  sequence: number;
  value: string;
}

interface StoredExport {
  sequence: number;
  arn: string;
  /** As the request gave it, less ExportArn, which the service sets. */
  definition: ExportDefinition;
  table: DataExportsTable;
  createdAt: Date;
  updatedAt: Date;
  tags: Map<string, StoredTag>;
}

/**
 * The exports of one account. The emulator cannot map a SigV4 access key to an account, so every caller shares this
 * one namespace, under the account the emulator was started with: names collide across callers as they would within
 * one AWS account, and the per-table limit counts them all.
 */
export class ExportStore {
  private readonly exports = new Map<string, StoredExport>();
  private nextSequence = 1;

  constructor(
    private readonly accountId: string,
    private readonly limit = exportsPerTable,
  ) {
    if (!/^\d{12}$/.test(accountId)) throw new Error(`account id must be 12 digits, not ${accountId}`);
    if (!Number.isInteger(limit) || limit < 1) {
      throw new Error(`export limit must be a positive whole number, not ${limit}`);
    }
  }

  names(): string[] {
    return [...this.exports.values()].map((stored) => stored.definition.Name);
  }

  create(definition: ExportDefinition, table: DataExportsTable, tags: ResourceTag[]): string {
    const stored = [...this.exports.values()];
    // What AWS answered in aws-solutions-library-samples/cloud-intelligence-dashboards-framework#995: "An error
    // occurred (ValidationException) when calling the CreateExport operation: Cannot create duplicate export name."
    if (stored.some((existing) => existing.definition.Name === definition.Name)) {
      throw dataExportsError('ValidationException', 'Cannot create duplicate export name.');
    }
    if (stored.filter((existing) => existing.table.name === table.name).length >= this.limit) {
      throw dataExportsError(
        'ServiceQuotaExceededException',
        `You have reached the limit of ${this.limit} exports of the table ${table.name} in this account`,
        { ResourceType: 'Export', QuotaCode: 'ExportsPerTable', ServiceCode: serviceCode },
      );
    }
    const arn = `arn:aws:bcm-data-exports:${exportsRegion}:${this.accountId}:export/${definition.Name}-${randomUUID()}`;
    const now = new Date();
    this.exports.set(arn, {
      sequence: this.nextSequence++,
      arn,
      definition: withoutArn(definition),
      table,
      createdAt: now,
      updatedAt: now,
      tags: new Map(),
    });
    this.tag(arn, tags);
    return arn;
  }

  describe(arn: string): { Export: JsonObject; ExportStatus: JsonObject } {
    const stored = this.find(arn);
    return { Export: { ExportArn: stored.arn, ...structuredClone(stored.definition) }, ExportStatus: statusOf(stored) };
  }

  /** The export as stored, for the rules an update must keep; ResourceNotFoundException when there is none. */
  current(arn: string): ExportDefinition {
    return structuredClone(this.find(arn).definition);
  }

  list(nextToken: string | undefined, pageSize: number): { Exports: JsonObject[]; NextToken?: string } {
    const { page, nextToken: following } = pageOf(this.exports.values(), nextToken, pageSize);
    return {
      Exports: page.map((stored) => ({
        ExportArn: stored.arn,
        ExportName: stored.definition.Name,
        ExportStatus: statusOf(stored),
      })),
      ...(following === undefined ? {} : { NextToken: following }),
    };
  }

  update(arn: string, definition: ExportDefinition): void {
    const stored = this.find(arn);
    stored.definition = withoutArn(definition);
    stored.updatedAt = new Date();
  }

  delete(arn: string): void {
    this.find(arn);
    this.exports.delete(arn);
  }

  /** Adds the tags, replacing the value of a key the export already has. */
  tag(arn: string, tags: ResourceTag[]): void {
    const stored = this.find(arn);
    for (const { Key, Value } of tags) {
      const existing = stored.tags.get(Key);
      stored.tags.set(Key, { sequence: existing?.sequence ?? this.nextSequence++, value: Value });
    }
  }

  /** Removes the keys; a key the export does not have is no error. */
  untag(arn: string, keys: string[]): void {
    const stored = this.find(arn);
    for (const key of keys) stored.tags.delete(key);
  }

  listTags(
    arn: string,
    nextToken: string | undefined,
    pageSize: number,
  ): { ResourceTags: ResourceTag[]; NextToken?: string } {
    const tags = [...this.find(arn).tags].map(([key, tag]) => ({ key, ...tag }));
    const { page, nextToken: following } = pageOf(tags, nextToken, pageSize);
    return {
      ResourceTags: page.map((tag) => ({ Key: tag.key, Value: tag.value })),
      ...(following === undefined ? {} : { NextToken: following }),
    };
  }

  private find(arn: string): StoredExport {
    const stored = this.exports.get(arn);
    if (!stored) {
      throw dataExportsError('ResourceNotFoundException', `Export ${arn} does not exist`, {
        ResourceId: arn,
        ResourceType: 'Export',
      });
    }
    return stored;
  }
}

function withoutArn(definition: ExportDefinition): ExportDefinition {
  const copy = structuredClone(definition);
  delete copy.ExportArn;
  return copy;
}

/**
 * The emulator delivers nothing, so an export stays HEALTHY and counts as refreshed when its definition last changed.
 * Timestamps go out as the model's date-time strings.
 */
function statusOf(stored: StoredExport): JsonObject {
  return {
    StatusCode: 'HEALTHY',
    CreatedAt: stored.createdAt.toISOString(),
    LastUpdatedAt: stored.updatedAt.toISOString(),
    LastRefreshedAt: stored.updatedAt.toISOString(),
  };
}
