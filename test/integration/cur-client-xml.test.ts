import { createRequire } from 'node:module';
import type * as Sts from '@aws-sdk/client-sts';
import { stack } from '../helpers';

// The CUR client (3.332.0) carries its own STS client, whose XML parser is pinned by package.json's overrides.
const requireFromCurClient = createRequire(require.resolve('@aws-sdk/client-cost-and-usage-report-service'));
const requireFromItsSts = createRequire(requireFromCurClient.resolve('@aws-sdk/client-sts'));

describe("the CUR client's own STS client, on the XML parser the overrides pin", () => {
  it('uses fast-xml-parser 4.5.7, past the published advisory ranges of the 4.x line', () => {
    const { version } = requireFromItsSts('fast-xml-parser/package.json') as { version: string };
    expect(version).toBe('4.5.7');
  });

  it('still reads an STS XML answer (GetCallerIdentity from moto)', async () => {
    const sts = requireFromCurClient('@aws-sdk/client-sts') as typeof Sts;
    const client = new sts.STSClient({
      region: 'us-east-1',
      endpoint: stack.awsEndpoint,
      credentials: stack.accounts.vendor.credentials,
    });
    const identity = await client.send(new sts.GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(stack.accounts.vendor.principalArn);
    client.destroy();
  });
});
