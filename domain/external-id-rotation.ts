import { parseDuration, type DurationFloor, type InputProblem } from './durations';

/**
 * Rotating an install's External ID without a moment in which the vendor cannot assume the role: the customer first
 * lets the role accept both IDs, the install switches to the new one once AWS accepts it, then the customer drops the
 * old one and the install proves AWS refuses it. Pure: the workflow, the API and the kit share it.
 *
 * Steps, as the status shows them (`externalIdRotation.step`):
 * - `awaiting_trust_update`: the kit renders a trust policy with both IDs; the install polls AssumeRole with the new
 *   one and keeps using the old one. Ends when AWS accepts the new ID, or at `expiresAt` (`expired`).
 * - `awaiting_old_id_removal`: the install now uses the new ID; the kit renders it alone; the install polls
 *   AssumeRole with the old one until AWS refuses it (and still refuses no ID and a wrong one).
 * - `completed`: the old ID is refused; only the new one opens the role.
 * - `expired`: the new ID was never accepted in time; it is forgotten and the old one stays in use.
 */
export const externalIdRotationSteps = [
  'awaiting_trust_update',
  'awaiting_old_id_removal',
  'completed',
  'expired',
] as const;

export type ExternalIdRotationStep = (typeof externalIdRotationSteps)[number];

/** The steps in which a rotation is under way: a second request is refused, the trust policy may hold two IDs. */
export const pendingRotationSteps: readonly ExternalIdRotationStep[] = [
  'awaiting_trust_update',
  'awaiting_old_id_removal',
];

/** A rotation as the status shows it; the IDs themselves are kept with the install's onboarding, like the first. */
export interface ExternalIdRotation {
  step: ExternalIdRotationStep;
  requestedAt: string;
  /** The id of the API key that asked. */
  requestedBy?: string;
  /** When an unused new ID expires (the old one stays in use). */
  expiresAt: string;
  /** How often the install tries the ID the step waits on. */
  pollEvery: string;
  polls: number;
  lastPolledAt?: string;
  /** AWS accepted the new ID: the install switched its sessions to it. */
  switchedAt?: string;
  /** AWS refused the old ID (and no ID, and a wrong one). */
  completedAt?: string;
  expiredAt?: string;
  /** What the customer must do now, in their words; absent once the rotation has ended. */
  customerAction?: string;
  /** The last poll that could not tell (an AWS error other than a refusal), or what the last check found wrong. */
  lastProblem?: { code: string; message: string; at: string };
}

/** What the vendor may set on a rotation request. */
export interface RotateExternalIdRequest {
  /** How long the customer has to let the role accept the new ID (default 48 hours). */
  expiresAfter?: string;
  /** How often the install tries the ID it waits on (default 1 minute). */
  pollEvery?: string;
  /** Set by the API: the id of the API key that asked. */
  requestedBy?: string;
}

interface RotationBounds {
  default: string;
  min: string;
  developmentMin: string;
  max: string;
}

/** Each poll is an AssumeRole as the vendor principal: bounded below like re-verification, above so it stays short. */
export const rotationBounds: Record<'expiresAfter' | 'pollEvery', RotationBounds> = {
  expiresAfter: { default: '48 hours', min: '1 hour', developmentMin: '1 second', max: '30 days' },
  pollEvery: { default: '1 minute', min: '1 minute', developmentMin: '100 ms', max: '1 hour' },
};

/** Every setting of a rotation request outside its bounds, with the range it must be in. */
export function checkRotationRequest(request: RotateExternalIdRequest, floor: DurationFloor): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const field of ['expiresAfter', 'pollEvery'] as const) {
    const value = request[field];
    if (value === undefined) continue;
    const bounds = rotationBounds[field];
    const min = floor === 'development' ? bounds.developmentMin : bounds.min;
    const ms = parseDuration(value);
    if (ms === undefined || ms < parseDuration(min)! || ms > parseDuration(bounds.max)!) {
      problems.push({
        path: `/${field}`,
        message: `must be a duration between ${min} and ${bounds.max} (like "2 hours"); got ${JSON.stringify(value)?.slice(0, 60)}`,
      });
    }
  }
  return problems;
}

/** The customer's instruction for each step under way. */
export const rotationCustomerActions: Record<'awaiting_trust_update' | 'awaiting_old_id_removal', string> = {
  awaiting_trust_update:
    "Update the role's trust policy to the one in the onboarding kit, which accepts both the current and the new External ID.",
  awaiting_old_id_removal:
    "The install now uses the new External ID. Update the role's trust policy to the one in the onboarding kit, which accepts only the new External ID.",
};
