import type { ReportDefinition } from '@aws-sdk/client-cost-and-usage-report-service';
import { CurServiceError } from './protocol';
import { validateReportDefinition, validateReportName } from './validation';

// "This account already has five reports defined" (ReportLimitReachedException, CUR API reference).
export const reportLimit = 5;
// DescribeReportDefinitions MaxResults: minimum 5, maximum 5.
const pageSize = 5;

/**
 * The report definitions, in creation order. One namespace for every caller: the emulator cannot tell accounts
 * apart, so tests keep report names unique instead.
 */
export class ReportStore {
  private readonly reports = new Map<string, ReportDefinition>();

  constructor(private readonly limit = reportLimit) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`report limit must be a positive whole number, not ${limit}`);
  }

  names(): string[] {
    return [...this.reports.keys()];
  }

  put(input: { ReportDefinition?: unknown }): Record<string, never> {
    const definition = validateReportDefinition(input.ReportDefinition);
    if (this.reports.has(definition.ReportName!)) {
      throw new CurServiceError(
        'DuplicateReportNameException',
        `A report with the name ${definition.ReportName} already exists`,
      );
    }
    if (this.reports.size >= this.limit) {
      throw new CurServiceError(
        'ReportLimitReachedException',
        `This account already has ${this.limit} reports defined. To define a new report, you must delete an existing report.`,
      );
    }
    this.reports.set(definition.ReportName!, { ...definition });
    return {};
  }

  describe(input: { MaxResults?: number; NextToken?: string }): {
    ReportDefinitions: ReportDefinition[];
    NextToken?: string;
  } {
    if (input.MaxResults !== undefined && input.MaxResults !== pageSize) {
      throw new CurServiceError('ValidationException', `MaxResults must be ${pageSize}`);
    }
    const all = [...this.reports.values()];
    const start = input.NextToken ? Number.parseInt(Buffer.from(input.NextToken, 'base64').toString(), 10) : 0;
    if (!Number.isInteger(start) || start < 0) throw new CurServiceError('ValidationException', 'Invalid NextToken');
    const page = all.slice(start, start + pageSize);
    const next = start + pageSize < all.length ? Buffer.from(String(start + pageSize)).toString('base64') : undefined;
    return { ReportDefinitions: page, ...(next ? { NextToken: next } : {}) };
  }

  modify(input: { ReportName?: unknown; ReportDefinition?: unknown }): Record<string, never> {
    const name = validateReportName(input.ReportName);
    const definition = validateReportDefinition(input.ReportDefinition);
    if (!this.reports.has(name)) throw new CurServiceError('ValidationException', `Report ${name} does not exist`);
    if (definition.ReportName !== name)
      throw new CurServiceError('ValidationException', 'ReportName cannot be changed');
    this.reports.set(name, { ...definition });
    return {};
  }

  delete(input: { ReportName?: unknown }): { ResponseMessage: string } {
    const name = validateReportName(input.ReportName);
    // AWS answers a delete of an unknown name with ResourceNotFoundException (newer API models).
    if (!this.reports.delete(name))
      throw new CurServiceError('ResourceNotFoundException', `Report ${name} does not exist`);
    return { ResponseMessage: `Report ${name} deleted` };
  }
}
