import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { installSearchAttributes } from '../workflows/search-attributes';

const searchAttributeTypeNames: Record<SearchAttributeType, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** `--search-attribute Name=Type` flags registering every attribute the workflows upsert. */
export function searchAttributeFlags(): string[] {
  return installSearchAttributes.flatMap((key) => [
    '--search-attribute',
    `${key.name}=${searchAttributeTypeNames[key.type]}`,
  ]);
}

export interface DevServerOptions {
  ip: string;
  port: number;
  uiPort: number;
  dbFilename: string;
  namespace: string;
}

export function devServerArgs(options: DevServerOptions): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    options.ip,
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--db-filename',
    options.dbFilename,
    '--namespace',
    options.namespace,
    ...searchAttributeFlags(),
  ];
}

/** Ready means the frontend answers a health check, not merely that the port is open. */
export async function temporalIsServing(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    const response = await connection.healthService.check({});
    return response.status === 1; // SERVING
  } finally {
    await connection.close();
  }
}
