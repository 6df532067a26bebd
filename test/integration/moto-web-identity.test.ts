import { randomUUID } from 'node:crypto';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { oidcProviderArn, oidcSubject, renderOidcTrustPolicy, stsAudience } from '../../domain/oidc-trust';
import { generateSigningKeyConfig, impostorKey, mintToken, signingKeyAt } from '../../security/oidc-issuer';
import { customerClients } from '../customer-account';
import { customerAccount, stack } from '../helpers';
import { startTestIssuer } from '../oidc-issuer-server';

/**
 * The local AWS endpoint (moto with devstack/moto_server.py's fix 5) checks web identity tokens as STS does:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
 * The caller holds no AWS credentials: the call is unsigned, and a client that tried to sign would fail here.
 */
const anonymousSts = new STSClient({
  region: 'us-east-1',
  endpoint: stack.awsEndpoint,
  credentials: () => Promise.reject(new Error('AssumeRoleWithWebIdentity must not need AWS credentials')),
});

let issuer: Awaited<ReturnType<typeof startTestIssuer>>;
const subject = oidcSubject('org-fidelity', `install-${randomUUID().slice(0, 8)}`);

beforeAll(async () => {
  issuer = await startTestIssuer([generateSigningKeyConfig('fidelity-1')]);
  await customerClients().iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: issuer.url,
      ClientIDList: [stsAudience],
      ThumbprintList: ['0'.repeat(40)],
    }),
  );
});
afterAll(() => issuer.close());

async function roleTrusting(policy: unknown): Promise<string> {
  const role = await customerClients().iam.send(
    new CreateRoleCommand({
      RoleName: `web-identity-${randomUUID().slice(0, 8)}`,
      AssumeRolePolicyDocument: JSON.stringify(policy),
    }),
  );
  return role.Role!.Arn!;
}

const ourRole = () =>
  roleTrusting(renderOidcTrustPolicy(oidcProviderArn(customerAccount.accountId, issuer.url), issuer.url, subject));

/**
 * AssumeRoleWithWebIdentity with the token; the error's name and message when STS refuses (the SDK names the wire
 * code InvalidIdentityToken InvalidIdentityTokenException).
 */
async function assumeWith(roleArn: string, token: string): Promise<string> {
  try {
    const response = await anonymousSts.send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'fidelity', WebIdentityToken: token }),
    );
    return response.Credentials?.AccessKeyId ? 'allowed' : 'no credentials';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('the local AWS endpoint checks AssumeRoleWithWebIdentity tokens as STS does', () => {
  it("issues credentials for this install's token, unsigned", async () => {
    const roleArn = await ourRole();
    expect(await assumeWith(roleArn, mintToken(issuer.issuer, { subject }))).toBe('allowed');
  });

  it("refuses another install's subject with AccessDenied (the trust policy's sub condition)", async () => {
    const roleArn = await ourRole();
    const other = mintToken(issuer.issuer, { subject: oidcSubject('org-fidelity', 'install-other') });
    expect(await assumeWith(roleArn, other)).toMatch(
      /^AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity/,
    );
  });

  it('refuses an audience the provider does not list with InvalidIdentityToken', async () => {
    const roleArn = await ourRole();
    expect(await assumeWith(roleArn, mintToken(issuer.issuer, { subject, audience: 'not-sts.example' }))).toMatch(
      /^InvalidIdentityTokenException: Incorrect token audience/,
    );
  });

  it('refuses an expired token with ExpiredTokenException', async () => {
    const roleArn = await ourRole();
    expect(await assumeWith(roleArn, mintToken(issuer.issuer, { subject, issuedSecondsAgo: 600 }))).toMatch(
      /^ExpiredTokenException: Token expired/,
    );
  });

  it('refuses a token signed by a key the JWKS does not hold (same kid) with InvalidIdentityToken', async () => {
    const roleArn = await ourRole();
    const impostor = impostorKey(signingKeyAt(issuer.issuer, Date.now())!);
    expect(await assumeWith(roleArn, mintToken(issuer.issuer, { subject, key: impostor }))).toMatch(
      /^InvalidIdentityTokenException: .*signature could not be verified/,
    );
  });

  it('refuses a token whose kid the JWKS no longer publishes with InvalidIdentityToken', async () => {
    const roleArn = await ourRole();
    const token = mintToken(issuer.issuer, { subject });
    issuer.now.ms = Date.now() + 365 * 24 * 3600_000;
    const key = signingKeyAt(issuer.issuer, Date.now())!;
    key.notAfter = Date.now() + 1000;
    try {
      expect(await assumeWith(roleArn, token)).toMatch(
        /^InvalidIdentityTokenException: .*signature could not be verified/,
      );
    } finally {
      issuer.now.ms = undefined;
      key.notAfter = undefined;
    }
  });

  it('accepts a retired key until its last token expires (rotation with overlap), then refuses it', async () => {
    const retiresAt = Date.now() + 60_000;
    const rotating = await startTestIssuer([
      generateSigningKeyConfig('old', { notAfter: new Date(retiresAt).toISOString() }),
      generateSigningKeyConfig('new', { notBefore: new Date(retiresAt).toISOString() }),
    ]);
    try {
      await customerClients().iam.send(
        new CreateOpenIDConnectProviderCommand({ Url: rotating.url, ClientIDList: [stsAudience] }),
      );
      const roleArn = await roleTrusting(
        renderOidcTrustPolicy(oidcProviderArn(customerAccount.accountId, rotating.url), rotating.url, subject),
      );
      const old = rotating.issuer.keys.find((key) => key.kid === 'old')!;
      const lastOldToken = mintToken(rotating.issuer, { subject, key: old });
      // After the old key's notAfter the new key signs, and the JWKS still holds the old one for its last tokens.
      rotating.now.ms = retiresAt + 1000;
      expect(signingKeyAt(rotating.issuer, retiresAt + 1000)?.kid).toBe('new');
      expect(await assumeWith(roleArn, lastOldToken)).toBe('allowed');
      expect(
        await assumeWith(
          roleArn,
          mintToken(rotating.issuer, { subject, key: rotating.issuer.keys.find((key) => key.kid === 'new')! }),
        ),
      ).toBe('allowed');
      // One token lifetime after notAfter the old key is gone from the JWKS: what it signed is refused.
      rotating.now.ms = retiresAt + 300_000;
      expect(await assumeWith(roleArn, lastOldToken)).toMatch(/^InvalidIdentityTokenException: .*signature/);
    } finally {
      await rotating.close();
    }
  });

  it('refuses a token from an issuer the account has no provider for with InvalidIdentityToken', async () => {
    const elsewhere = await startTestIssuer([generateSigningKeyConfig('elsewhere-1')]);
    try {
      const roleArn = await ourRole();
      expect(await assumeWith(roleArn, mintToken(elsewhere.issuer, { subject }))).toMatch(
        /^InvalidIdentityTokenException: No OpenIDConnect provider found/,
      );
    } finally {
      await elsewhere.close();
    }
  });

  it('evaluates the trust policy operators: StringLike on sub admits other installs', async () => {
    const policy = renderOidcTrustPolicy(oidcProviderArn(customerAccount.accountId, issuer.url), issuer.url, subject);
    const condition = policy.Statement[0]!.Condition as Record<string, Record<string, string>>;
    const sub = Object.keys(condition.StringEquals!).find((key) => key.endsWith(':sub'))!;
    const rest = Object.fromEntries(Object.entries(condition.StringEquals!).filter(([key]) => key !== sub));
    const roleArn = await roleTrusting({
      ...policy,
      Statement: [{ ...policy.Statement[0], Condition: { StringEquals: rest, StringLike: { [sub]: 'install:*' } } }],
    });
    const other = mintToken(issuer.issuer, { subject: oidcSubject('org-else', 'install-else') });
    expect(await assumeWith(roleArn, other)).toBe('allowed');
  });

  it('refuses a role that trusts another provider with AccessDenied', async () => {
    const roleArn = await roleTrusting(
      renderOidcTrustPolicy(oidcProviderArn(customerAccount.accountId, 'https://token.example'), issuer.url, subject),
    );
    expect(await assumeWith(roleArn, mintToken(issuer.issuer, { subject }))).toMatch(
      /^AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity/,
    );
  });
});
