import fc from 'fast-check';
import {
  checkInstallBounds,
  durationBounds,
  durationFields,
  durationRange,
  parseDuration,
} from '../../domain/durations';

describe('install durations and counts, bounded', () => {
  it('parses the grammar the API documents, and nothing else', () => {
    expect(parseDuration('90 days')).toBe(90 * 86_400_000);
    expect(parseDuration('1.5 hours')).toBe(5_400_000);
    expect(parseDuration('500 ms')).toBe(500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration(2_500)).toBe(2_500);
    for (const bad of ['', '1', 'days', '-1 s', '1e9 days', '1 week', ' 1 s', '1 s ', 'NaN ms', '1 s; DROP', 1.5, -1]) {
      expect(parseDuration(bad)).toBeUndefined();
    }
    expect(parseDuration(Number.MAX_VALUE)).toBeUndefined();
    expect(parseDuration('9'.repeat(100) + ' days')).toBeUndefined();
  });

  it('refuses every duration the issue reproduced, naming the field and its range', () => {
    const problems = checkInstallBounds(
      {
        timeouts: { roleSubmission: '999999999 days', roleReminder: '1 s' },
        reverifyEvery: '1 ms',
        cur: { firstReport: { pollEvery: '1 ms', overdueAfter: 'soon', pollsPerRun: 0 } },
        approval: { expiresAfter: 1e308 },
        historyEventLimit: 10_000_000,
      },
      'production',
    );
    expect(problems.map((problem) => problem.path).sort()).toEqual([
      '/approval/expiresAfter',
      '/cur/firstReport/overdueAfter',
      '/cur/firstReport/pollEvery',
      '/cur/firstReport/pollsPerRun',
      '/historyEventLimit',
      '/reverifyEvery',
      '/timeouts/roleReminder',
      '/timeouts/roleSubmission',
    ]);
    expect(problems.find((problem) => problem.path === '/timeouts/roleReminder')?.message).toMatch(
      /between 1 hour and 30 days/,
    );
  });

  it('accepts the defaults and every bound itself, on both floors', () => {
    expect(checkInstallBounds({}, 'production')).toEqual([]);
    for (const field of durationFields) {
      const [group, ...rest] = field.split('.');
      const at = (value: string) =>
        rest.length === 0
          ? { [group!]: value }
          : rest.length === 1
            ? { [group!]: { [rest[0]!]: value } }
            : { [group!]: { [rest[0]!]: { [rest[1]!]: value } } };
      const bounds = durationBounds[field];
      expect(checkInstallBounds(at(bounds.min), 'production')).toEqual([]);
      expect(checkInstallBounds(at(bounds.max), 'production')).toEqual([]);
      expect(checkInstallBounds(at(bounds.developmentMin), 'development')).toEqual([]);
      if (bounds.developmentMin !== bounds.min) {
        expect(checkInstallBounds(at(bounds.developmentMin), 'production')).toHaveLength(1);
      }
    }
  });

  it('keeps every duration inside its bounds a valid date offset a century from now, and refuses the rest', () => {
    const century = 100 * 365 * 86_400_000;
    const unit = fc.constantFrom('ms', 's', 'seconds', 'm', 'minutes', 'h', 'hours', 'd', 'days');
    const wellFormed = fc.tuple(fc.integer({ min: 0, max: 999_999_999 }), unit).map(([n, u]) => `${n} ${u}`);
    fc.assert(
      fc.property(
        fc.constantFrom(...durationFields),
        fc.oneof(wellFormed, fc.string(), fc.double(), fc.integer()),
        (field, value) => {
          const [group, name] = field.split('.');
          const input = name === undefined ? { [group!]: value } : { [group!]: { [name]: value } };
          if (field.startsWith('cur.')) return; // nested deeper; covered by the bounds test above
          const refused = checkInstallBounds(input, 'development').length > 0;
          const ms = parseDuration(value);
          const { minMs, maxMs } = durationRange(field, 'development');
          expect(refused).toBe(ms === undefined || ms < minMs || ms > maxMs);
          if (!refused) expect(() => new Date(Date.now() + century + ms!).toISOString()).not.toThrow();
        },
      ),
    );
  });
});
