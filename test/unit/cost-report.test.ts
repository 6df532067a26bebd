import {
  mergeCurStatements,
  renderCostReportDefinition,
  renderCurBucketPolicyStatements,
  sameCostReportDefinition,
  withoutCurStatements,
} from '../../domain/cost-report';
import type { PolicyDocument } from '../../domain/policy-document';

const ours = renderCurBucketPolicyStatements({ partition: 'aws', accountId: '111111111111', bucket: 'cur-bucket' });
const customerStatement = {
  Sid: 'CustomerOwn',
  Effect: 'Allow' as const,
  Principal: { AWS: 'arn:aws:iam::111111111111:root' },
  Action: 's3:*',
  Resource: '*',
};

describe('cost and usage report settings', () => {
  it('pairs Parquet with Parquet compression and text with GZIP', () => {
    const base = {
      reportName: 'r',
      bucket: 'b',
      prefix: 'p',
      bucketRegion: 'us-east-1',
      versioning: 'OVERWRITE_REPORT' as const,
    };
    expect(renderCostReportDefinition({ ...base, format: 'Parquet' }).Compression).toBe('Parquet');
    expect(renderCostReportDefinition({ ...base, format: 'textORcsv' })).toMatchObject({
      Compression: 'GZIP',
      TimeUnit: 'DAILY',
      AdditionalSchemaElements: ['RESOURCES'],
      RefreshClosedReports: true,
    });
  });

  it('sees a definition that differs in one field as different', () => {
    const wanted = renderCostReportDefinition({
      reportName: 'r',
      bucket: 'b',
      prefix: 'p',
      bucketRegion: 'us-east-1',
      format: 'textORcsv',
      versioning: 'OVERWRITE_REPORT',
    });
    expect(sameCostReportDefinition({ ...wanted }, wanted)).toBe(true);
    expect(sameCostReportDefinition({ ...wanted, RefreshClosedReports: false as unknown as true }, wanted)).toBe(false);
  });

  it('scopes the bucket policy to the billing service acting for this account', () => {
    expect(ours).toHaveLength(2);
    for (const statement of ours) {
      expect(statement.Principal).toEqual({ Service: 'billingreports.amazonaws.com' });
      expect(statement.Condition?.StringEquals).toEqual({
        'aws:SourceArn': 'arn:aws:cur:us-east-1:111111111111:definition/*',
        'aws:SourceAccount': '111111111111',
      });
    }
  });

  it("keeps the customer's statements when adding ours and when taking ours away", () => {
    const existing: PolicyDocument = { Version: '2012-10-17', Statement: [customerStatement] };
    const merged = mergeCurStatements(existing, ours);
    expect(merged.Statement).toHaveLength(3);
    expect(mergeCurStatements(merged, ours).Statement).toHaveLength(3);
    expect(withoutCurStatements(merged)).toEqual(existing);
    expect(withoutCurStatements(mergeCurStatements(undefined, ours))).toBeUndefined();
  });
});
