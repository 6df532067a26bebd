import { pageOf } from '../aws-json/page-token';
import { validationError } from '../aws-json/service-error';
import { describePageSize, reportsPerAccount, type ReportDefinition } from './model';
import { curError } from './service-error';

interface StoredReport {
  sequence: number;
  definition: ReportDefinition;
}

export class ReportStore {
  // One global namespace of report definitions: the emulator cannot tell accounts apart.
  private readonly reports = new Map<string, StoredReport>();
  private nextSequence = 1;

  constructor(private readonly limit = reportsPerAccount) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new Error(`report limit must be a positive whole number, not ${limit}`);
    }
  }

  names(): string[] {
    return [...this.reports.keys()];
  }

  put(definition: ReportDefinition): void {
    if (this.reports.has(definition.ReportName)) {
      throw curError(
        'DuplicateReportNameException',
        `A report with the name ${definition.ReportName} already exists in the account`,
      );
    }
    if (this.reports.size >= this.limit) {
      throw curError(
        'ReportLimitReachedException',
        `This account already has ${this.limit} reports defined. To define a new report, you must delete an existing report.`,
      );
    }
    this.reports.set(definition.ReportName, { sequence: this.nextSequence++, definition: structuredClone(definition) });
  }

  describe(nextToken: string | undefined): { ReportDefinitions: ReportDefinition[]; NextToken?: string } {
    const { page, nextToken: following } = pageOf(this.reports.values(), nextToken, describePageSize);
    return {
      ReportDefinitions: page.map((report) => structuredClone(report.definition)),
      ...(following === undefined ? {} : { NextToken: following }),
    };
  }

  modify(reportName: string, definition: ReportDefinition): void {
    const existing = this.reports.get(reportName);
    // ModifyReportDefinition lists only InternalErrorException and ValidationException among its errors.
    if (!existing) throw validationError(`Report ${reportName} does not exist`);
    // The API offers no rename, and what AWS does with a differing name is undocumented, so refuse it.
    if (definition.ReportName !== reportName) {
      throw validationError(`ReportDefinition.ReportName ${definition.ReportName} must equal ReportName ${reportName}`);
    }
    existing.definition = structuredClone(definition);
  }

  delete(reportName: string): { ResponseMessage: string } {
    // DeleteReportDefinition lists only InternalErrorException and ValidationException among its errors, and
    // terraform-provider-aws takes a ValidationException from it to mean the report is already gone.
    if (!this.reports.delete(reportName)) throw validationError(`Report ${reportName} does not exist`);
    return { ResponseMessage: `Report ${reportName} deleted` };
  }
}
