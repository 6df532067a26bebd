import type { DurationFloor } from '../domain/durations';
import { subscribedEventTypes } from '../domain/webhook-endpoints';
import type { InstallEventType } from '../domain/webhook-events';
import type { ActivityDeps } from './deps';

export interface PreparedOnboarding {
  externalId: string;
  vendorPrincipalArn: string;
  roleTemplateUrl: string;
}

// 192 bits from the CSPRNG; hex keeps it inside the External ID alphabet ([\w+=,.@:/-]).
const externalIdBytes = 24;

export function createOnboardingActivities(deps: ActivityDeps) {
  return {
    /** Creates the install's External ID here, not in the workflow, where randomness is deterministic by design. */
    async prepareOnboarding(input: { installId: string }): Promise<PreparedOnboarding> {
      const externalId = Buffer.from(deps.randomBytes(externalIdBytes)).toString('hex');
      const base = deps.vendor.roleTemplateBaseUrl.replace(/\/+$/, '');
      return {
        externalId,
        vendorPrincipalArn: deps.vendor.principalArn,
        roleTemplateUrl: `${base}/${encodeURIComponent(input.installId)}/onboarding/role-template.json`,
      };
    },

    /**
     * The limits this deployment puts on install settings, read by the workflow when it starts: they are the
     * worker's configuration, which workflow code cannot read, and the API checks the same ones. With them, the event
     * types the webhook endpoints take, so that a run hands over no event nobody takes (workflows/install-events.ts).
     */
    async readInputLimits(): Promise<{ durationFloor: DurationFloor; subscribedEventTypes: InstallEventType[] }> {
      return { durationFloor: deps.durationFloor, subscribedEventTypes: subscribedEventTypes(deps.webhooks) };
    },

    async sendRoleReminder(input: { installId: string; orgId: string; waitingSince: string }): Promise<void> {
      await deps.notify({
        kind: 'role_reminder',
        installId: input.installId,
        orgId: input.orgId,
        message: `Install ${input.installId} has been waiting for its role since ${input.waitingSince}.`,
      });
    },
  };
}
