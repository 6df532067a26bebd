import fc from 'fast-check';
import { startInstallBody } from '../../client/api/schemas';
import { checkCostReportNames, costReportFolders, invalidInstallInput } from '../../domain/cost-report-names';
import { installResourceNames } from '../../domain/install-names';
import { deprovisionPermissions } from '../../domain/permissions';

// Every character some renderer treats specially, beside ordinary ones.
const nasty = fc.constantFrom(
  ...'aZ09-_.!\'()/*?${}%\\" \n:#&+=@,;<>[]^`|~'.split(''),
  '${aws:username}',
  '%{',
  '..',
  '//',
);
const candidate = fc.array(nasty, { maxLength: 12 }).map((parts) => parts.join(''));
// Mostly plausible names, some with a special character slipped in, so both verdicts are common.
const segment = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.string({ unit: fc.constantFrom(..."aZ09-_.!'()".split('')), minLength: 1, maxLength: 5 }),
  },
  { weight: 1, arbitrary: candidate },
);
const prefixes = fc.array(segment, { minLength: 1, maxLength: 4 }).map((segments) => segments.join('/'));
const fields = ['prefix', 'reportName', 'exportName', 'bucketName'] as const;

describe('cost report names (cur.prefix, cur.reportName, cur.exportName, cur.bucketName)', () => {
  it.each([
    ['prefix', 'cur/*'],
    ['prefix', 'cur/?'],
    ['prefix', 'cur/${aws:username}'],
    ['prefix', 'cur/%{x}'],
    ['prefix', 'a//b'],
    ['prefix', '/cur'],
    ['prefix', 'cur/'],
    ['prefix', './cur'],
    ['prefix', 'cur/../other'],
    ['prefix', 'cur/..'],
    ['prefix', 'cur reports'],
    ['reportName', '*'],
    ['reportName', '..'],
    ['reportName', 'a/b'],
    ['exportName', 'cur.2'],
    ['exportName', "it's"],
    ['bucketName', 'my..bucket'],
  ])('refuses %s %j', (field, value) => {
    expect(checkCostReportNames({ [field]: value })).toEqual({
      field,
      problem: expect.stringContaining(`cur.${field}`),
    });
  });

  it.each([
    ['prefix', "billing/cur.v2/acme's-(prod)!"],
    ['prefix', 'a/.hidden/b..c'],
    ['reportName', "acme's-cur.v2"],
    ['exportName', 'acme_cur-2'],
    ['bucketName', 'acme.billing-1'],
  ])('accepts %s %j', (field, value) => {
    expect(checkCostReportNames({ [field]: value })).toBeUndefined();
  });

  it('accepts the default names of every valid install id', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/), (installId) => {
        const names = installResourceNames({ installId, awsAccountId: '111111111111', region: 'us-east-1' });
        const cur = { prefix: names.curPrefix, reportName: names.curReportName, exportName: names.dataExportName };
        expect(invalidInstallInput({ installId, cur: { ...cur, bucketName: names.curBucket } })).toBeUndefined();
      }),
    );
  });

  it('grants DeleteObject only on literal report folders for every name it accepts', () => {
    fc.assert(
      fc.property(prefixes, segment, segment, (prefix, reportName, exportName) => {
        fc.pre(checkCostReportNames({ prefix, reportName, exportName }) === undefined);
        const names = installResourceNames({
          installId: 'acme-prod',
          awsAccountId: '111111111111',
          region: 'us-east-1',
          cur: { prefix, reportName, exportName, kind: 'both' },
        });
        const deletes = deprovisionPermissions(names).filter((permission) => permission.action === 's3:DeleteObject');
        expect(deletes.map((permission) => permission.resource).sort()).toEqual(
          [...new Set([`${prefix}/${reportName}/*`, `${prefix}/${exportName}/*`])]
            .map((folder) => `arn:aws:s3:::${names.curBucket}/${folder}`)
            .sort(),
        );
        for (const { resource } of deletes) {
          const key = resource.slice(`arn:aws:s3:::${names.curBucket}/`.length, -1);
          // One literal folder: the only wildcard is the final one, and no segment is empty, '.' or '..'.
          expect(key).not.toMatch(/[*?$%{}\s]/);
          expect(key.split('/').slice(0, -1)).not.toContainEqual(expect.stringMatching(/^\.{0,2}$/));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('lets through the API exactly what the domain rules accept', () => {
    // What the API's JSON-schema validator (ajv: unicode regular expressions, lengths in code points) checks.
    const schemaAccepts = (field: (typeof fields)[number], value: string) => {
      const rule = startInstallBody.properties.cur.properties[field];
      const length = [...value].length;
      return length >= rule.minLength && length <= rule.maxLength && new RegExp(rule.pattern, 'u').test(value);
    };
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.oneof(candidate, prefixes), (field, value) => {
        expect(schemaAccepts(field, value)).toBe(checkCostReportNames({ [field]: value }) === undefined);
      }),
      { numRuns: 5000 },
    );
  });

  it("names the reports' folders: the legacy report's, the export's, once when they are the same", () => {
    expect(costReportFolders({ prefix: 'p/q', reportName: 'r', exportName: 'e', kind: 'both' })).toEqual([
      'p/q/r/',
      'p/q/e/',
    ]);
    expect(costReportFolders({ prefix: 'p', reportName: 'r', exportName: 'r', kind: 'both' })).toEqual(['p/r/']);
    expect(costReportFolders({ prefix: 'p', reportName: 'r', exportName: 'e', kind: 'cur2' })).toEqual(['p/e/']);
    expect(costReportFolders({ prefix: 'p', reportName: 'r', exportName: 'e' })).toEqual(['p/r/']);
  });

  it('tells the workflow what is wrong with an input before anything is created', () => {
    expect(invalidInstallInput({ installId: 'acme-prod', cur: { prefix: 'cur/*' } })).toMatch(/^cur\.prefix "cur\/\*"/);
    expect(invalidInstallInput({ installId: 'Acme' })).toMatch(/^installId "Acme"/);
    expect(invalidInstallInput({ installId: 'acme-prod', cur: { kind: 'both' } })).toBeUndefined();
  });
});
