import {
  DeleteReportDefinitionCommand,
  ModifyReportDefinitionCommand,
  type ReportDefinition,
} from '@aws-sdk/client-cost-and-usage-report-service';
import { UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { renderOnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { requestDeprovisionUpdate } from '../../workflows/definitions';
import { customerClients, reportDefinition } from '../customer-account';
import { closeTestClient, testClient, withTestWorker } from '../helpers';
import { onboardUntilActive, testInstallInput, waitForPhase } from '../install-driver';

/** What the Temporal UI shows as the workflow's current details (the SDK's built-in metadata query). */
async function currentDetails(handle: WorkflowHandle): Promise<string> {
  const metadata = await handle.query<{ currentDetails?: string | null }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

describe('re-verification while active, against the real dev server, moto and the CUR endpoint', () => {
  let client: Client;

  beforeAll(async () => {
    client = await testClient();
  });
  afterAll(() => closeTestClient());

  it('degrades when the trust policy stops requiring the External ID and recovers when it is restored', async () => {
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('trust-drift', { reverifyEvery: '500 ms' });
      const { handle, active } = await onboardUntilActive(client, taskQueue, input);
      const artifacts = renderOnboardingArtifacts({ install: input, ...active.onboarding! });
      const { iam } = customerClients();
      const withoutExternalId = {
        ...artifacts.trustPolicy,
        Statement: artifacts.trustPolicy.Statement.map(({ Condition: _dropped, ...statement }) => statement),
      };
      await iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: artifacts.roleName,
          PolicyDocument: JSON.stringify(withoutExternalId),
        }),
      );

      const degraded = await waitForPhase(handle, 'degraded');
      expect(degraded.role?.drift).toMatchObject({ code: 'external_id_not_enforced' });
      expect(degraded.role?.drift?.fix).toContain('sts:ExternalId');
      expect(degraded.role?.withoutExternalId).toBe('allowed');
      // The Temporal UI shows the workflow's current details: the problem and its fix, not just the phase.
      const details = await currentDetails(handle);
      expect(details).toContain('external_id_not_enforced: The role no longer requires the External ID.');
      expect(details).toContain(`To fix: ${degraded.role!.drift!.fix}`);

      await iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: artifacts.roleName,
          PolicyDocument: JSON.stringify(artifacts.trustPolicy),
        }),
      );
      const restored = await waitForPhase(handle, 'active');
      expect(restored.role?.drift).toBeUndefined();
      expect(restored.role?.withoutExternalId).toBe('refused');
      expect(Date.parse(restored.role!.lastVerifiedAt!)).toBeGreaterThan(Date.parse(degraded.role!.drift!.at));
      expect(restored.role!.lastCheckedAt).toBe(restored.role!.lastVerifiedAt);

      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
    });
  });

  it('degrades when the trust policy is widened to another account, still with the External ID', async () => {
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('trust-widened', { reverifyEvery: '500 ms' });
      const { handle, active } = await onboardUntilActive(client, taskQueue, input);
      expect(active.role?.trustPolicyFindings).toEqual([]);
      const artifacts = renderOnboardingArtifacts({ install: input, ...active.onboarding! });
      const [ours] = artifacts.trustPolicy.Statement;
      const widened = {
        ...artifacts.trustPolicy,
        Statement: [{ ...ours!, Principal: { AWS: [active.onboarding!.vendorPrincipalArn, '999999999999'] } }],
      };
      await customerClients().iam.send(
        new UpdateAssumeRolePolicyCommand({ RoleName: artifacts.roleName, PolicyDocument: JSON.stringify(widened) }),
      );

      const degraded = await waitForPhase(handle, 'degraded');
      expect(degraded.role?.drift).toMatchObject({ code: 'trust_policy_allows_other_principals' });
      expect(degraded.role?.drift?.message).toContain('AWS 999999999999');
      expect(degraded.role?.drift?.fix).toContain('Remove every principal but the vendor');
      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
    });
  });

  it('degrades when the cost report is edited or deleted in the account, naming what changed', async () => {
    await withTestWorker(async ({ taskQueue }) => {
      const input = testInstallInput('cur-drift', { reverifyEvery: '500 ms' });
      const { handle, active } = await onboardUntilActive(client, taskQueue, input);
      const { cur } = customerClients();
      const reportName = active.cur!.reportName;
      const original = (await reportDefinition(reportName)) as ReportDefinition;

      await cur.send(
        new ModifyReportDefinitionCommand({
          ReportName: reportName,
          ReportDefinition: { ...original, TimeUnit: 'HOURLY' },
        }),
      );
      const edited = await waitForPhase(handle, 'degraded');
      expect(edited.role?.drift).toMatchObject({ code: 'cost_report_changed' });
      expect(edited.role?.drift?.message).toContain('TimeUnit');

      await cur.send(new ModifyReportDefinitionCommand({ ReportName: reportName, ReportDefinition: original }));
      await waitForPhase(handle, 'active');

      await cur.send(new DeleteReportDefinitionCommand({ ReportName: reportName }));
      const deleted = await waitForPhase(handle, 'degraded');
      expect(deleted.role?.drift).toMatchObject({ code: 'cost_report_missing' });

      await handle.executeUpdate(requestDeprovisionUpdate, { args: [{}] });
      expect((await handle.result()).phase).toBe('deprovisioned');
    });
  });
});
