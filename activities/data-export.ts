import {
  CreateExportCommand,
  DeleteExportCommand,
  GetExportCommand,
  ListExportsCommand,
  UpdateExportCommand,
  type BCMDataExportsClient,
} from '@aws-sdk/client-bcm-data-exports';
import { dataExportDifferences, type DataExportDefinition } from '../domain/data-export';
import type { CustomerAccessInput } from '../domain/customer-access';
import { awsErrorCode, callAws, rethrowAwsError } from './aws/errors';
import type { ActivityDeps } from './deps';

async function findExportArn(dataExports: BCMDataExportsClient, exportName: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await callAws('bcm-data-exports:ListExports', () =>
      dataExports.send(new ListExportsCommand({ NextToken: nextToken })),
    );
    const found = page.Exports?.find((reference) => reference.ExportName === exportName);
    if (found?.ExportArn) return found.ExportArn;
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

async function readExport(dataExports: BCMDataExportsClient, exportArn: string): Promise<unknown> {
  try {
    return (await dataExports.send(new GetExportCommand({ ExportArn: exportArn }))).Export;
  } catch (error) {
    if (awsErrorCode(error) === 'ResourceNotFoundException') return undefined;
    rethrowAwsError(error, 'bcm-data-exports:GetExport');
  }
}

export function createDataExportActivities(deps: ActivityDeps) {
  return {
    /**
     * CreateExport first; when the name is taken (a retry whose first answer was lost, or the customer's own export)
     * the existing one is compared and updated only if it says something else. Data Exports has no client token.
     */
    async defineDataExport(input: {
      access: CustomerAccessInput;
      definition: DataExportDefinition;
    }): Promise<{ exportArn: string; result: 'created' | 'unchanged' | 'modified' }> {
      const { dataExports } = await deps.sessions.clients(input.access);
      try {
        const created = await dataExports.send(new CreateExportCommand({ Export: input.definition }));
        return { exportArn: created.ExportArn!, result: 'created' };
      } catch (error) {
        const exportArn =
          awsErrorCode(error) === 'ValidationException'
            ? await findExportArn(dataExports, input.definition.Name)
            : undefined;
        if (!exportArn) rethrowAwsError(error, 'bcm-data-exports:CreateExport');
        const existing = await readExport(dataExports, exportArn);
        if (existing && dataExportDifferences(existing, input.definition).length === 0) {
          return { exportArn, result: 'unchanged' };
        }
        await callAws('bcm-data-exports:UpdateExport', () =>
          dataExports.send(new UpdateExportCommand({ ExportArn: exportArn, Export: input.definition })),
        );
        return { exportArn, result: 'modified' };
      }
    },

    /** Read-only: whether the export is still there and still says what the install set. */
    async inspectDataExport(input: {
      access: CustomerAccessInput;
      exportArn: string;
      definition: DataExportDefinition;
    }): Promise<{ present: boolean; differences: string[] }> {
      const { dataExports } = await deps.sessions.clients(input.access);
      const existing = await readExport(dataExports, input.exportArn);
      if (!existing) return { present: false, differences: [] };
      return { present: true, differences: dataExportDifferences(existing, input.definition) };
    },

    /** Deletes the export, found by name when its ARN was never recorded; one already gone is success. */
    async deleteDataExport(input: {
      access: CustomerAccessInput;
      exportName: string;
      exportArn?: string;
    }): Promise<{ deleted: boolean }> {
      const { dataExports } = await deps.sessions.clients(input.access);
      const exportArn = input.exportArn ?? (await findExportArn(dataExports, input.exportName));
      if (!exportArn) return { deleted: false };
      try {
        await dataExports.send(new DeleteExportCommand({ ExportArn: exportArn }));
        return { deleted: true };
      } catch (error) {
        if (awsErrorCode(error) === 'ResourceNotFoundException') return { deleted: false };
        rethrowAwsError(error, 'bcm-data-exports:DeleteExport');
      }
    },
  };
}
