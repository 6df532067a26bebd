import fc from 'fast-check';
import { matchesIamWildcard, WildcardBudgetExceeded } from '../../domain/iam-wildcard';

/** IAM's wildcards the slow, obvious way: can pattern[i..] match value[j..]? Memoised, so no regex and no blow-up. */
function referenceMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  const memo = new Map<number, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = i * (v.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === p.length) result = j === v.length;
    else if (p[i] === '*') result = match(i + 1, j) || (j < v.length && match(i, j + 1));
    else result = j < v.length && (p[i] === '?' || p[i] === v[j]) && match(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

// A small alphabet makes matches and near-misses common; upper case tells the two case modes apart.
const patternChar = fc.constantFrom('a', 'b', 'A', ':', '*', '?');
const valueChar = fc.constantFrom('a', 'b', 'A', 'B', ':');
const pattern = fc.string({ unit: patternChar, maxLength: 12 });
const value = fc.string({ unit: valueChar, maxLength: 14 });

describe('matchesIamWildcard (fast-check against a reference matcher)', () => {
  it.each([false, true])(
    'agrees with the reference on random patterns and values (caseInsensitive %s)',
    (caseInsensitive) => {
      fc.assert(
        fc.property(pattern, value, (p, v) => {
          expect(matchesIamWildcard(p, v, { caseInsensitive })).toBe(referenceMatch(p, v, caseInsensitive));
        }),
        { numRuns: 5000 },
      );
    },
  );

  it('agrees with the reference on values built to match, so both answers are common', () => {
    // A value derived from the pattern (each * replaced by some text, each ? by one character) must match.
    const derived = fc
      .array(fc.tuple(patternChar, fc.string({ unit: valueChar, maxLength: 3 }), valueChar), { maxLength: 10 })
      .map((parts) => ({
        pattern: parts.map(([char]) => char).join(''),
        value: parts.map(([char, run, one]) => (char === '*' ? run : char === '?' ? one : char)).join(''),
      }));
    fc.assert(
      fc.property(derived, ({ pattern: p, value: v }) => {
        expect(referenceMatch(p, v, false)).toBe(true);
        expect(matchesIamWildcard(p, v)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('throws once a shared budget is spent, and not before', () => {
    const budget = { remaining: 1_000 };
    expect(matchesIamWildcard('arn:*a*', 'arn:xya', { budget })).toBe(true);
    expect(budget.remaining).toBeLessThan(1_000);
    expect(budget.remaining).toBeGreaterThan(0);
    expect(() => {
      for (;;) matchesIamWildcard('*a*a*a*', 'b'.repeat(100) + 'aaa', { budget });
    }).toThrow(WildcardBudgetExceeded);
  });
});
