import { patched } from '@temporalio/workflow';

/**
 * The patches made before `compact-history`. Each one a run asks for costs it a marker and an upsert of
 * TemporalChangeVersion (two events and a visibility write, SDK behaviour), so a run that starts with
 * `compact-history` takes all their new paths without asking; a run from before asks each one, as it did, and
 * replays as recorded. A patch made after `compact-history` must not be added here: runs that started without its
 * change would take its new path on replay. Ask for it with `patched()` itself.
 */
export type EarlierPatch =
  | 'scoped-sandbox-prefix'
  | 'bounded-input'
  | 'onboarding-callback'
  | 'role-outcome-after-phase'
  | 'first-report-watch'
  | 'approval-change-set'
  | 'trust-policy-check'
  | 'reverify-trust-policy';

/**
 * The patch of the December 2026 release, one marker for all its changes to what a run does: install events handed to
 * the webhooks (workflows/install-events.ts, asked first, when the run's tracker is made) and the 3-second ceiling
 * on the role verification's retries (workflows/activity-profiles.ts). It also implies the vendor-calls queue of the
 * release before, which is asked on its own only where this one is absent: a run of that release replays with its
 * own marker, a new run writes one marker for both. A later release asks a patch of its own.
 */
export const releasePatch = 'install-events';

/** The patch of the release after: organizations, External ID rotation, permission upgrades, runner attestation, OIDC trust. */
export const anchorsPatch = 'anchors-and-oidc';

/** Which of the install's changes this run has; decided in its first workflow task. */
export class InstallPatches {
  /**
   * One patch for the history diet of this release: the phase attribute written where operators list installs by
   * it, and the earlier patches above taken without their markers.
   */
  readonly compactHistory: boolean;

  constructor() {
    this.compactHistory = patched('compact-history');
  }

  has(patch: EarlierPatch): boolean {
    return this.compactHistory || patched(patch);
  }
}
