import { renderCustomerPage } from '../../client/api/customer-page/render-page';
import { invalidInstallInput } from '../../domain/cost-report-names';
import { renderOnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { renderOnboardingKit } from '../../domain/onboarding-kit';
import { permissionsBoundaryProblem } from '../../domain/permissions-boundary';

const install = { installId: 'acme-1', awsAccountId: '111111111111', region: 'eu-west-1' };
const boundary = 'arn:aws:iam::111111111111:policy/vendor/InstallBoundary';

function kit(permissionsBoundary?: string) {
  const artifacts = renderOnboardingArtifacts({
    install,
    externalId: 'e'.repeat(48),
    vendorPrincipalArn: 'arn:aws:iam::123456789012:role/vendor',
    roleTemplateUrl: 'https://templates.example/acme-1/role-template.json',
    permissionsBoundary,
  });
  const files = Object.fromEntries(renderOnboardingKit(artifacts).map((file) => [file.name, file.body]));
  const template = JSON.parse(files['role-template.json']!) as {
    Resources: { InstallAccessRole: { Properties: Record<string, unknown> } };
  };
  return { artifacts, files, role: template.Resources.InstallAccessRole.Properties };
}

describe('permissions boundary', () => {
  it("accepts a managed policy of the install's account or of AWS, with or without a path", () => {
    for (const arn of [
      boundary,
      'arn:aws:iam::111111111111:policy/Boundary',
      'arn:aws:iam::aws:policy/PowerUserAccess',
      'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess',
    ]) {
      expect(permissionsBoundaryProblem(arn, install)).toBeUndefined();
    }
  });

  it.each([
    ['another account', 'arn:aws:iam::222222222222:policy/Boundary', /belongs to account 222222222222/],
    ['another partition', 'arn:aws-cn:iam::111111111111:policy/Boundary', /partition aws-cn/],
    ['a role', 'arn:aws:iam::111111111111:role/Boundary', /not the ARN of a managed policy/],
    ['no ARN at all', 'Boundary', /not the ARN of a managed policy/],
    ['a name with a quote', "arn:aws:iam::111111111111:policy/Bound'; rm -rf /", /name or path IAM does not accept/],
    ['an empty path segment', 'arn:aws:iam::111111111111:policy//Boundary', /name or path/],
    ['a name over 128 characters', `arn:aws:iam::111111111111:policy/${'b'.repeat(129)}`, /name or path/],
    ['a path over 512 characters', `arn:aws:iam::111111111111:policy/${'p/'.repeat(256)}B`, /name or path/],
    ['an ARN over 2,048 characters', `arn:aws:iam::111111111111:policy/${'b'.repeat(2100)}`, /at most 2048/],
  ])('refuses %s', (_what, arn, problem) => {
    expect(permissionsBoundaryProblem(arn, install)).toMatch(problem);
    // The workflow refuses it too, for starts that did not come through the API.
    expect(invalidInstallInput({ ...install, permissionsBoundary: arn })).toMatch(problem);
  });

  it('sets the boundary in all three forms of the kit', () => {
    const { artifacts, files, role } = kit(boundary);
    expect(artifacts.permissionsBoundary).toBe(boundary);
    expect(role.PermissionsBoundary).toBe(boundary);
    expect(files['create-role.sh']).toContain(
      `aws iam create-role --role-name install-acme-1-access --assume-role-policy-document '`,
    );
    expect(files['create-role.sh']).toMatch(
      new RegExp(`^aws iam create-role .* --permissions-boundary '${boundary}'$`, 'm'),
    );
    expect(files['install-access-role.tf']).toMatch(
      /resource "aws_iam_role" "install_access" \{\n(?:.*\n){2}  permissions_boundary = "arn:aws:iam::111111111111:policy\/vendor\/InstallBoundary"\n\}/,
    );
  });

  it('tells the customer on the onboarding page which boundary the role gets', () => {
    const page = (permissionsBoundary?: string) => {
      const { artifacts } = kit(permissionsBoundary);
      return renderCustomerPage({
        status: {
          ...install,
          orgId: 'acme',
          phase: 'awaiting_role',
          phaseSince: '2026-01-01T00:00:00Z',
          steps: {},
          roleSubmissions: 0,
          remindersSent: 0,
        },
        artifacts,
        files: renderOnboardingKit(artifacts),
        urls: { file: (name) => `/f/${name}`, roleArn: '/r', events: '/e' },
        expiresAt: '2026-01-02T00:00:00.000Z',
      });
    };
    expect(page(boundary)).toContain(`permissions boundary is the managed policy <code>${boundary}</code>`);
    expect(page()).not.toContain('permissions boundary');
  });

  it('leaves the kit without a boundary when the install names none', () => {
    const { artifacts, files, role } = kit();
    expect(artifacts).not.toHaveProperty('permissionsBoundary');
    expect(role).not.toHaveProperty('PermissionsBoundary');
    expect(files['create-role.sh']).not.toContain('permissions-boundary');
    expect(files['install-access-role.tf']).not.toContain('permissions_boundary');
  });
});
