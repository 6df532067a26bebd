import {
  CreateStackCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
} from '@aws-sdk/client-cloudformation';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { renderOnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { customerClients } from '../customer-account';
import { customerAccount, stack, uniqueInstallId } from '../helpers';
import { vendorAssumes } from '../vendor-assume';

describe('External ID rotation as a CloudFormation stack update of the quick-create role stack, against moto', () => {
  it('accepts both IDs after the rotation update, and the new one alone after the next', async () => {
    const installId = uniqueInstallId('stack-rotation');
    const oldId = 'a'.repeat(48);
    const newId = 'b'.repeat(48);
    const base = {
      install: { installId, awsAccountId: customerAccount.accountId, region: 'us-east-1' },
      vendorPrincipalArn: stack.accounts.vendor.principalArn,
      roleTemplateUrl: `http://127.0.0.1/installs/${installId}/onboarding/role-template.json`,
    };
    const created = renderOnboardingArtifacts({ ...base, externalId: oldId });
    const { cloudFormation, iam } = customerClients();
    const StackName = created.roleStackName;
    await cloudFormation.send(
      new CreateStackCommand({
        StackName,
        TemplateBody: JSON.stringify(created.roleTemplate),
        // As the console's quick-create sends them: every parameter, the callback's empty when none is open. (moto
        // cannot take UsePreviousValue for a parameter the create left to its default: a KeyError, answered 500.)
        Parameters: [
          { ParameterKey: 'ExternalId', ParameterValue: oldId },
          { ParameterKey: 'CallbackUrl', ParameterValue: '' },
          { ParameterKey: 'CallbackToken', ParameterValue: '' },
        ],
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    await waitUntilStackCreateComplete({ client: cloudFormation, maxWaitTime: 60 }, { StackName });
    const roleArn = (await iam.send(new GetRoleCommand({ RoleName: created.roleName }))).Role!.Arn!;
    expect(await vendorAssumes(roleArn, oldId)).toBe('allowed');
    expect(await vendorAssumes(roleArn, newId)).toBe('refused');

    /** The stack updated as update-role-stack.sh does it: the kit's template with these External IDs. */
    const updateStack = async (externalId: string, newExternalId?: string) => {
      const kit = renderOnboardingArtifacts({ ...base, externalId, ...(newExternalId ? { newExternalId } : {}) });
      await cloudFormation.send(
        new UpdateStackCommand({
          StackName,
          TemplateBody: JSON.stringify(kit.roleTemplate),
          Parameters: [
            { ParameterKey: 'ExternalId', ParameterValue: externalId },
            ...(newExternalId ? [{ ParameterKey: 'NewExternalId', ParameterValue: newExternalId }] : []),
            { ParameterKey: 'CallbackUrl', UsePreviousValue: true },
            { ParameterKey: 'CallbackToken', UsePreviousValue: true },
          ],
          Capabilities: ['CAPABILITY_NAMED_IAM'],
        }),
      );
      await waitUntilStackUpdateComplete({ client: cloudFormation, maxWaitTime: 60 }, { StackName });
    };

    await updateStack(oldId, newId);
    expect(await vendorAssumes(roleArn, oldId)).toBe('allowed');
    expect(await vendorAssumes(roleArn, newId)).toBe('allowed');
    expect(await vendorAssumes(roleArn)).toBe('refused');

    await updateStack(newId);
    expect(await vendorAssumes(roleArn, oldId)).toBe('refused');
    expect(await vendorAssumes(roleArn, newId)).toBe('allowed');
  });
});
