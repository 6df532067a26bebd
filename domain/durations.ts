/**
 * Every duration and count an integrator may set on an install, with the smallest and largest value it may take.
 * Unbounded, `"999999999 days"` overflowed a Date and failed every workflow task of the install forever, and `"1 s"`
 * reminders or `"1 ms"` re-verifications flooded the customer and STS (whose quota every customer shares, as the one
 * vendor principal). The API refuses values outside these bounds and the workflow checks them again at start.
 *
 * Minimums come in two floors: `production`, the default everywhere, and `development`, which a deployment may
 * choose (INSTALL_DURATION_FLOOR=development on worker and API) so the local stack and its tests need not wait
 * minutes for a timer. Maximums are the same in both.
 */

export type DurationFloor = 'production' | 'development';

export const durationFields = [
  'timeouts.roleSubmission',
  'timeouts.onboardingCallback',
  'timeouts.roleReminder',
  'timeouts.rolePropagation',
  'timeouts.sandboxStack',
  'timeouts.runnerCheckIn',
  'approval.expiresAfter',
  'reverifyEvery',
  'cur.firstReport.pollEvery',
  'cur.firstReport.overdueAfter',
] as const;

export type DurationField = (typeof durationFields)[number];

interface Bounds {
  min: string;
  developmentMin: string;
  max: string;
}

export const durationBounds: Record<DurationField, Bounds> = {
  'timeouts.roleSubmission': { min: '1 hour', developmentMin: '1 second', max: '90 days' },
  'timeouts.onboardingCallback': { min: '5 minutes', developmentMin: '1 second', max: '30 days' },
  'timeouts.roleReminder': { min: '1 hour', developmentMin: '1 second', max: '30 days' },
  // IAM propagation takes seconds; less than this would refuse a correct role just created.
  'timeouts.rolePropagation': { min: '30 seconds', developmentMin: '1 second', max: '1 hour' },
  'timeouts.sandboxStack': { min: '5 minutes', developmentMin: '1 second', max: '24 hours' },
  'timeouts.runnerCheckIn': { min: '5 minutes', developmentMin: '1 second', max: '30 days' },
  'approval.expiresAfter': { min: '1 hour', developmentMin: '1 second', max: '90 days' },
  // Each re-verification is an AssumeRole as the vendor principal.
  reverifyEvery: { min: '5 minutes', developmentMin: '100 ms', max: '30 days' },
  'cur.firstReport.pollEvery': { min: '5 minutes', developmentMin: '100 ms', max: '1 day' },
  'cur.firstReport.overdueAfter': { min: '24 hours', developmentMin: '100 ms', max: '30 days' },
};

export const countFields = ['historyEventLimit', 'cur.firstReport.pollsPerRun'] as const;
export type CountField = (typeof countFields)[number];

export const countBounds: Record<CountField, { min: number; developmentMin: number; max: number }> = {
  // Temporal refuses a history past 51,200 events; continuing as new well before keeps replays short.
  historyEventLimit: { min: 1_000, developmentMin: 10, max: 40_000 },
  'cur.firstReport.pollsPerRun': { min: 10, developmentMin: 1, max: 1_000 },
};

/** Reminders stop after this many, whatever the reminder period: a customer who ignored 30 will ignore 31. */
export const maxRoleReminders = 30;

const units: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

/**
 * What the API's schema accepts: at most 9 digits, an optional fraction, one unit. Anchored, every repeat bounded,
 * no nested repeats; a superset of what the API accepted before bounds, so installs started then still parse.
 */
export const durationPattern =
  '^\\d{1,9}(\\.\\d{1,9})?\\s{0,3}(ms|milliseconds?|s|seconds?|m|minutes?|h|hours?|d|days?)$';
const durationExpression = new RegExp(durationPattern);

/**
 * Milliseconds for a duration in the grammar above, or a whole number of milliseconds (Temporal's other form);
 * undefined for anything else, including values too large to be a date offset.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const match = durationExpression.exec(value);
  if (!match) return undefined;
  const amount = Number(value.slice(0, value.length - match[2]!.length).trim());
  const ms = Math.round(amount * units[match[2]!]!);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Like parseDuration, for durations the code itself writes: a typo there is a bug, not input. */
export function durationMs(value: string | number): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new TypeError(`Not a duration: ${String(value)}`);
  return ms;
}

export function durationRange(field: DurationField, floor: DurationFloor): { minMs: number; maxMs: number } {
  const bounds = durationBounds[field];
  return {
    minMs: durationMs(floor === 'development' ? bounds.developmentMin : bounds.min),
    maxMs: durationMs(bounds.max),
  };
}

/** "between 1 hour and 30 days": for the schema's description and the error a caller reads. */
export function describeDurationRange(field: DurationField, floor: DurationFloor = 'production'): string {
  const bounds = durationBounds[field];
  return `between ${floor === 'development' ? bounds.developmentMin : bounds.min} and ${bounds.max}`;
}

export interface InputProblem {
  /** JSON pointer into the request or workflow input, e.g. `/timeouts/roleReminder`. */
  path: string;
  message: string;
}

/** The durations and counts of an install input, as it arrives from the API or straight to the workflow. */
export interface BoundedInstallFields {
  timeouts?: Partial<Record<string, unknown>>;
  approval?: { expiresAfter?: unknown };
  reverifyEvery?: unknown;
  historyEventLimit?: unknown;
  cur?: { firstReport?: { pollEvery?: unknown; overdueAfter?: unknown; pollsPerRun?: unknown } };
}

function valueAt(input: BoundedInstallFields, field: string): unknown {
  let node: unknown = input;
  for (const key of field.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const pointer = (field: string) => `/${field.split('.').join('/')}`;

/** Every duration or count outside its bounds, each with the path and the range it must be in. */
export function checkInstallBounds(input: BoundedInstallFields, floor: DurationFloor): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const field of durationFields) {
    const value = valueAt(input, field);
    if (value === undefined) continue;
    const ms = parseDuration(value);
    const { minMs, maxMs } = durationRange(field, floor);
    if (ms === undefined || ms < minMs || ms > maxMs) {
      problems.push({
        path: pointer(field),
        message: `must be a duration ${describeDurationRange(field, floor)} (like "2 hours"); got ${JSON.stringify(value)?.slice(0, 60)}`,
      });
    }
  }
  for (const field of countFields) {
    const value = valueAt(input, field);
    if (value === undefined) continue;
    const bounds = countBounds[field];
    const min = floor === 'development' ? bounds.developmentMin : bounds.min;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > bounds.max) {
      problems.push({
        path: pointer(field),
        message: `must be a whole number from ${min} to ${bounds.max}; got ${JSON.stringify(value)?.slice(0, 60)}`,
      });
    }
  }
  return problems;
}
