/**
 * IAM's wildcard matching (`*` any run of characters, `?` exactly one), without regular expressions or
 * backtracking: customers write these patterns, and a backtracking matcher let one policy freeze a worker.
 *
 * The pattern is cut at its `*`s into literal segments (where `?` matches any one character). The first segment
 * must match at the start, the last at the end, and each one between is placed at its leftmost fit after the one
 * before; leftmost is always safe because a `*` follows it. No placement is ever revisited, so the work is at most
 * one segment comparison per (position, segment) pair: O(|pattern| × |value|), and in practice close to
 * O(|pattern| + |value|). `budget` counts character comparisons across calls so a caller can cap a whole evaluation.
 *
 * Case: actions and condition keys compare case-insensitively in IAM; ARNs and most condition values do not.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
 */
export interface WildcardOptions {
  caseInsensitive?: boolean;
  /** Shared across calls; matching throws WildcardBudgetExceeded once `remaining` would drop below zero. */
  budget?: WildcardBudget;
}

export interface WildcardBudget {
  remaining: number;
}

export class WildcardBudgetExceeded extends Error {
  constructor() {
    super('The policy needs more matching work than one evaluation may spend.');
    this.name = 'WildcardBudgetExceeded';
  }
}

export function matchesIamWildcard(pattern: string, value: string, options: WildcardOptions = {}): boolean {
  const p = options.caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = options.caseInsensitive ? value.toLowerCase() : value;
  const budget = options.budget;
  const spend = (amount: number) => {
    if (!budget) return;
    budget.remaining -= amount;
    if (budget.remaining < 0) throw new WildcardBudgetExceeded();
  };

  const segments = p.split('*');
  if (segments.length === 1) {
    spend(Math.min(p.length, v.length) + 1);
    return p.length === v.length && segmentMatchesAt(p, v, 0);
  }
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  if (first.length + last.length > v.length) return false;
  spend(first.length + last.length + 1);
  if (!segmentMatchesAt(first, v, 0)) return false;
  const end = v.length - last.length;
  if (!segmentMatchesAt(last, v, end)) return false;

  let position = first.length;
  for (let index = 1; index < segments.length - 1; index += 1) {
    const segment = segments[index]!;
    if (segment.length === 0) continue;
    const found = findSegment(segment, v, position, end, spend);
    if (found < 0) return false;
    position = found + segment.length;
  }
  return true;
}

/** Whether any of the patterns matches, sharing one budget. */
export function matchesAnyIamWildcard(patterns: readonly string[], value: string, options: WildcardOptions = {}) {
  return patterns.some((pattern) => matchesIamWildcard(pattern, value, options));
}

function segmentMatchesAt(segment: string, value: string, at: number): boolean {
  if (at < 0 || at + segment.length > value.length) return false;
  for (let index = 0; index < segment.length; index += 1) {
    const expected = segment.charCodeAt(index);
    // 63 is '?': any one character.
    if (expected !== 63 && expected !== value.charCodeAt(at + index)) return false;
  }
  return true;
}

/** The leftmost start in [from, end - |segment|] where the segment fits, or -1. */
function findSegment(
  segment: string,
  value: string,
  from: number,
  end: number,
  spend: (amount: number) => void,
): number {
  if (!segment.includes('?')) {
    // A literal segment: the engine's own substring search, linear in practice.
    spend(end - from + segment.length);
    const found = value.indexOf(segment, from);
    return found >= 0 && found + segment.length <= end ? found : -1;
  }
  for (let start = from; start + segment.length <= end; start += 1) {
    spend(segment.length);
    if (segmentMatchesAt(segment, value, start)) return start;
  }
  return -1;
}
