import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ApplicationFailure } from '@temporalio/common';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClientFactory, CustomerClients } from '../../activities/aws/clients';
import { CustomerSessions } from '../../activities/aws/customer-session';
import { customerAccessRef, type CustomerAccess, type CustomerAccessRef } from '../../domain/customer-access';
import { testAccess } from './aws-fakes';

const sts = mockClient(STSClient);
const otherRole = { ...testAccess, roleArn: 'arn:aws:iam::111111111111:role/fixed' };

/** Sessions over a mocked STS; each customer session's clients are a fresh object tagged with the key it was made with. */
function sessionsAnswering(lookUp: (ref: CustomerAccessRef) => CustomerAccess | undefined, maxSessions?: number) {
  const asked: CustomerAccessRef[] = [];
  const aws = {
    vendorSts: () => new STSClient({ region: 'us-east-1' }),
    customer: (credentials: { accessKeyId: string }) =>
      ({ madeWith: credentials.accessKeyId }) as unknown as CustomerClients,
  } as unknown as AwsClientFactory;
  const sessions = new CustomerSessions(aws, {
    maxSessions,
    lookUpAccess: async (ref) => {
      asked.push(ref);
      return lookUp(ref);
    },
  });
  return { sessions, asked };
}

function assumedRoles(): Array<{ RoleArn?: string; ExternalId?: string }> {
  return sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  sts.reset();
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => ({
    Credentials: {
      AccessKeyId: `ASIA-${input.RoleArn}`,
      SecretAccessKey: 's',
      SessionToken: 't',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  }));
});

describe('customer sessions reached by a reference to the role', () => {
  it('asks the install for the access once, assumes the role with its External ID, and keeps the session', async () => {
    const { sessions, asked } = sessionsAnswering(() => testAccess);
    const ref = customerAccessRef(testAccess);
    expect(JSON.stringify(ref)).not.toContain(testAccess.externalId);

    const first = await sessions.session(ref);
    const second = await sessions.session(ref);
    expect(first.access).toEqual(testAccess);
    expect(second.clients).toBe(first.clients);
    expect(asked).toEqual([ref]);
    expect(assumedRoles()).toEqual([
      expect.objectContaining({ RoleArn: testAccess.roleArn, ExternalId: testAccess.externalId }),
    ]);
  });

  it('uses the session the whole access left (verification) without asking the install', async () => {
    const { sessions, asked } = sessionsAnswering(() => undefined);
    const verified = await sessions.clients(testAccess);
    expect(await sessions.clients(customerAccessRef(testAccess))).toBe(verified);
    expect(await sessions.resolve(customerAccessRef(testAccess))).toEqual(testAccess);
    expect(asked).toEqual([]);
  });

  it('never takes the session of another role of the same install, one that failed verification before', async () => {
    const { sessions, asked } = sessionsAnswering(() => otherRole);
    await sessions.clients(testAccess);
    const { access } = await sessions.session(customerAccessRef(otherRole));
    expect(access.roleArn).toBe(otherRole.roleArn);
    expect(asked).toHaveLength(1);
    expect(assumedRoles().map((input) => input.RoleArn)).toEqual([testAccess.roleArn, otherRole.roleArn]);
  });

  it('fails for good when the install does not act as the role referred to', async () => {
    const { sessions } = sessionsAnswering(() => undefined);
    const failure = await sessions.session(customerAccessRef(testAccess)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'CustomerAccessUnknown', nonRetryable: true });
    expect(assumedRoles()).toEqual([]);
  });

  it('keeps at most maxSessions, dropping the least recently used first', async () => {
    const { sessions, asked } = sessionsAnswering(
      (ref) => [testAccess, otherRole].find((a) => customerAccessRef(a).role === ref.role),
      1,
    );
    await sessions.clients(testAccess);
    await sessions.clients(otherRole);
    await sessions.clients(customerAccessRef(otherRole));
    expect(asked).toEqual([]);
    await sessions.clients(customerAccessRef(testAccess));
    expect(asked).toEqual([customerAccessRef(testAccess)]);
    expect(assumedRoles()).toHaveLength(3);
  });
});
