import { UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import type { OnboardingArtifacts } from '../../domain/onboarding-artifacts';
import type { InstallStatus } from '../../workflows/definitions';
import { activeThroughApi, useTestApi } from '../api-server';
import { customerClients } from '../customer-account';
import { testClient, uniqueInstallId, waitUntil, withTestWorker } from '../helpers';
import { readableHistory } from '../support/history-scan';
import { vendorAssumes } from '../vendor-assume';

const problemType = (slug: string) => `urn:install-orchestrator:problem:${slug}`;

describe('External ID rotation through the API, against moto', () => {
  const { taskQueue, api } = useTestApi('rotation');

  const status = async (installId: string): Promise<InstallStatus> =>
    (await api.call('GET', `/installs/${installId}`)).body.install as InstallStatus;
  const kit = async (installId: string): Promise<OnboardingArtifacts> =>
    (await api.call('GET', `/installs/${installId}/onboarding`)).body as OnboardingArtifacts;
  /** The customer applies the kit's trust policy to the role, as update-trust-policy.sh does. */
  const applyTrustPolicy = async (artifacts: OnboardingArtifacts) =>
    customerClients().iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: artifacts.roleName,
        PolicyDocument: JSON.stringify(artifacts.trustPolicy),
      }),
    );

  it('rotates: both IDs in the kit, the switch once the role accepts the new one, completion once the old is refused, active throughout', async () => {
    await withTestWorker(
      async () => {
        const installId = uniqueInstallId('rotation');
        const { artifacts: first, install } = await activeThroughApi(api, installId, {
          settings: { orgId: 'org-rotation', reverifyEvery: '500 ms' },
        });
        const oldId = first.externalId;
        const roleArn = install.role!.arn;

        // The vendor asks; an unbounded expiry is refused before reaching the install.
        const unbounded = await api.call('POST', `/installs/${installId}/external-id/rotate`, {
          expiresAfter: '999999999 days',
        });
        expect(unbounded.status).toBe(400);
        expect(unbounded.body).toMatchObject({
          type: problemType('invalid-request'),
          errors: [{ path: '/expiresAfter' }],
        });
        const rotate = await api.call('POST', `/installs/${installId}/external-id/rotate`, { pollEvery: '300 ms' });
        expect(rotate.status).toBe(202);
        expect(rotate.body.externalIdRotation).toMatchObject({
          step: 'awaiting_trust_update',
          requestedBy: 'test-operator',
        });
        const again = await api.call('POST', `/installs/${installId}/external-id/rotate`, {});
        expect(again.status).toBe(409);
        expect(again.body).toMatchObject({
          type: problemType('external-id-rotation-pending'),
          reason: 'ExternalIdRotationPending',
          code: 'external_id_rotation_pending',
        });

        // The kit now accepts both IDs, in every form.
        const both = await kit(installId);
        const newId = both.newExternalId!;
        expect(newId).toMatch(/^[0-9a-f]{48}$/);
        expect(newId).not.toBe(oldId);
        expect(both.externalId).toBe(oldId);
        expect(both.trustPolicy.Statement[0]!.Condition).toEqual({
          StringEquals: { 'sts:ExternalId': [oldId, newId] },
        });
        const script = await api.call('GET', `/installs/${installId}/onboarding/update-trust-policy.sh`);
        expect(script.body).toContain(JSON.stringify({ 'sts:ExternalId': [oldId, newId] }));
        const stackUpdate = await api.call('GET', `/installs/${installId}/onboarding/update-role-stack.sh`);
        expect(stackUpdate.body).toContain(`ParameterKey=NewExternalId,ParameterValue=${newId}`);

        // Until the customer acts, AWS refuses the new ID and the install keeps working with the old one.
        const waiting = await waitUntil(
          () => status(installId),
          (s) =>
            (s.externalIdRotation?.polls ?? 0) >= 3 &&
            Date.parse(s.role!.lastVerifiedAt!) > Date.parse(s.externalIdRotation!.requestedAt),
        );
        expect(waiting).toMatchObject({ phase: 'active', externalIdRotation: { step: 'awaiting_trust_update' } });
        expect(await vendorAssumes(roleArn, newId)).toBe('refused');

        await applyTrustPolicy(both);
        const switched = await waitUntil(
          () => status(installId),
          (s) => s.externalIdRotation?.step === 'awaiting_old_id_removal',
        );
        expect(switched.onboarding).toMatchObject({ externalId: newId, externalIdGeneration: 1 });
        // Re-verification with the new ID passes against the two-ID policy while the old one is still there.
        const reverified = await waitUntil(
          () => status(installId),
          (s) => Date.parse(s.role!.lastVerifiedAt!) > Date.parse(s.externalIdRotation!.switchedAt!) + 1_000,
        );
        expect(reverified.phase).toBe('active');
        expect(reverified.role?.drift).toBeUndefined();

        // The kit asks for the new ID alone; the customer drops the old one.
        const single = await kit(installId);
        expect(single.newExternalId).toBeUndefined();
        expect(single.trustPolicy.Statement[0]!.Condition).toEqual({ StringEquals: { 'sts:ExternalId': newId } });
        await applyTrustPolicy(single);
        const completed = await waitUntil(
          () => status(installId),
          (s) => s.externalIdRotation?.step === 'completed',
        );
        expect(completed.role).toMatchObject({ withoutExternalId: 'refused', withWrongExternalId: 'refused' });
        expect(completed.onboarding?.previousExternalId).toBeUndefined();
        expect(await vendorAssumes(roleArn, oldId)).toBe('refused');
        expect(await vendorAssumes(roleArn, newId)).toBe('allowed');
        expect(await vendorAssumes(roleArn)).toBe('refused');

        // Re-verification keeps passing with the new ID alone; the install was never degraded.
        const after = await waitUntil(
          () => status(installId),
          (s) => Date.parse(s.role!.lastVerifiedAt!) > Date.parse(s.externalIdRotation!.completedAt!) + 1_000,
        );
        expect(after.phase).toBe('active');
        const history = await (await testClient()).workflow.getHandle(installId).fetchHistory();
        const phasesWritten = (history.events ?? [])
          .filter((event) => event.upsertWorkflowSearchAttributesEventAttributes)
          .map((event) => readableHistory(event.upsertWorkflowSearchAttributesEventAttributes));
        expect(phasesWritten.join('\n')).toContain('active');
        expect(phasesWritten.join('\n')).not.toContain('degraded');

        expect((await api.call('POST', `/installs/${installId}/deprovision`, {})).status).toBe(202);
        await waitUntil(
          () => status(installId),
          (s) => s.phase === 'deprovisioned',
        );
      },
      { taskQueue },
    );
  });
});
