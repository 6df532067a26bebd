import { issuerHostPath, oidcProviderArn, renderOidcTrustPolicy, stsAudience } from './oidc-trust';
import type { PolicyDocument } from './policy-document';

/** The IAM OIDC provider an OIDC install's role trusts: one per issuer URL per account, shared by its installs. */
export interface OidcProviderSpec {
  /** The issuer URL, exactly as tokens carry it in iss. */
  url: string;
  arn: string;
  /** The client id (audience) list: sts.amazonaws.com alone. */
  clientIds: string[];
  /** The token subject the role pins: this install, and no other. */
  subject: string;
  /** How IAM names the provider in condition keys (`<host-path>:sub`). */
  conditionPrefix: string;
}

export function oidcProviderSpec(
  accountId: string,
  partition: string,
  issuerUrl: string,
  subject: string,
): OidcProviderSpec {
  return {
    url: issuerUrl,
    arn: oidcProviderArn(accountId, issuerUrl, partition),
    clientIds: [stsAudience],
    subject,
    conditionPrefix: issuerHostPath(issuerUrl),
  };
}

/**
 * The role template in OIDC mode: the provider (unless the account already has it: `CreateOidcProvider=false`), and
 * the role trusting it for this install's subject. No thumbprint: AWS no longer uses it for providers whose
 * certificate a public CA signed, and computes one itself when it is omitted.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc_verify-thumbprint.html
 */
export function oidcRoleTemplate(
  template: Record<string, unknown>,
  provider: OidcProviderSpec,
): Record<string, unknown> {
  const parameters = { ...(template.Parameters as Record<string, unknown>) };
  delete parameters.ExternalId;
  const resources = { ...(template.Resources as Record<string, Record<string, unknown>>) };
  const role = resources.InstallAccessRole!;
  const providerArnSub = `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/${provider.conditionPrefix}`;
  const trust = renderOidcTrustPolicy(providerArnSub, provider.url, provider.subject);
  const statement = trust.Statement[0]!;
  return {
    ...template,
    Description: 'Role that the vendor assumes with its OIDC tokens for this install only (no vendor AWS keys).',
    Parameters: {
      CreateOidcProvider: {
        Type: 'String',
        AllowedValues: ['true', 'false'],
        Default: 'true',
        Description: "false when the account already has the vendor's OIDC provider (another install created it).",
      },
      ...parameters,
    },
    Conditions: {
      ...(template.Conditions as Record<string, unknown>),
      CreatesOidcProvider: { 'Fn::Equals': [{ Ref: 'CreateOidcProvider' }, 'true'] },
    },
    Resources: {
      VendorOidcProvider: {
        Type: 'AWS::IAM::OIDCProvider',
        Condition: 'CreatesOidcProvider',
        Properties: { Url: provider.url, ClientIdList: provider.clientIds },
      },
      ...resources,
      InstallAccessRole: {
        ...role,
        Properties: {
          ...(role.Properties as Record<string, unknown>),
          AssumeRolePolicyDocument: {
            ...trust,
            Statement: [{ ...statement, Principal: { Federated: { 'Fn::Sub': providerArnSub } } }],
          },
        },
      },
    },
  };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The CLI lines that create the provider first (an existing one is kept: `|| true` on EntityAlreadyExists). */
export function oidcProviderCliLines(provider: OidcProviderSpec): string[] {
  return [
    '# The IAM OIDC provider for the vendor’s issuer: one per account, shared by its installs. No thumbprint: AWS',
    '# no longer uses it for most providers and computes one itself when omitted.',
    `aws iam create-open-id-connect-provider --url ${shellQuote(provider.url)} --client-id-list ${provider.clientIds.join(' ')} \\`,
    `  || aws iam get-open-id-connect-provider --open-id-connect-provider-arn "arn:aws:iam::$(aws sts get-caller-identity --query Account --output text):oidc-provider/${provider.conditionPrefix}" >/dev/null`,
  ];
}

/** The Terraform resources: the provider and a role whose trust policy references it. */
export function oidcProviderTerraform(provider: OidcProviderSpec, trustPolicy: PolicyDocument): string[] {
  const statement = trustPolicy.Statement[0]!;
  return [
    `# One per account: import it (terraform import aws_iam_openid_connect_provider.vendor <arn>) if another`,
    `# install created it. No thumbprint_list: AWS no longer uses it for most providers (AWS provider >= 5.81).`,
    `resource "aws_iam_openid_connect_provider" "vendor" {`,
    `  url            = ${JSON.stringify(provider.url)}`,
    `  client_id_list = ${JSON.stringify(provider.clientIds)}`,
    `}`,
    ``,
    `resource "aws_iam_role" "install_access" {`,
    `  name               = ROLE_NAME`,
    `  assume_role_policy = jsonencode({`,
    `    Version = "2012-10-17"`,
    `    Statement = [{`,
    `      Sid       = ${JSON.stringify(statement.Sid)}`,
    `      Effect    = "Allow"`,
    `      Principal = { Federated = aws_iam_openid_connect_provider.vendor.arn }`,
    `      Action    = "sts:AssumeRoleWithWebIdentity"`,
    `      Condition = ${JSON.stringify(statement.Condition)}`,
    `    }]`,
    `  })`,
    `}`,
  ];
}
