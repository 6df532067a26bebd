import { join } from 'node:path';
import { lastLines, runCommand } from '../run-command';
import { ToolSetupError, type Log } from '../tools';
import type { TemporalServerBuild } from './builds';
import { postgresUser, type PostgresServer } from './postgres';

/** Temporal's two databases: persistence (executions, shards, membership) and SQL advanced visibility. */
export const temporalDatabases = { persistence: 'temporal', visibility: 'temporal_visibility' } as const;

/**
 * Creates both databases and brings their schemas to the version this server build needs, as Temporal documents
 * for SQL stores: `create-database`, `setup-schema -v 0.0`, then `update-schema` over the versioned folder. Each step
 * leaves what exists alone, so a kept `.stack/` cluster is only brought up to date.
 */
export async function setUpTemporalSchemas(
  build: TemporalServerBuild,
  server: Pick<PostgresServer, 'host' | 'port' | 'password'>,
  log: Log,
): Promise<void> {
  const schemas = [
    { database: temporalDatabases.persistence, versioned: join(build.postgresSchemaDir, 'temporal', 'versioned') },
    { database: temporalDatabases.visibility, versioned: join(build.postgresSchemaDir, 'visibility', 'versioned') },
  ];
  for (const { database, versioned } of schemas) {
    const sqlTool = async (args: string[]) => {
      const result = await runCommand(
        build.sqlTool,
        [
          '--plugin',
          'postgres12',
          '--endpoint',
          server.host,
          '--port',
          String(server.port),
          '--user',
          postgresUser,
          '--database',
          database,
          ...args,
        ],
        { label: `temporal-sql-tool ${args[0]}`, log, env: { ...process.env, SQL_PASSWORD: server.password } },
      );
      if (result.code !== 0) {
        throw new ToolSetupError(
          `temporal-sql-tool ${args.join(' ')} on database ${database} failed (exit ${result.code}):\n` +
            lastLines(result.output, 15),
        );
      }
    };
    await sqlTool(['create-database']);
    await sqlTool(['setup-schema', '-v', '0.0']);
    await sqlTool(['update-schema', '-d', versioned]);
  }
  log('Temporal schemas set up (persistence and visibility)');
}
