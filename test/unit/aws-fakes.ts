import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { CustomerClients } from '../../activities/aws/clients';
import type { CustomerSessions } from '../../activities/aws/customer-session';
import type { CustomerAccess } from '../../domain/customer-access';
import type { ActivityDeps } from '../../activities/deps';

/** A customer role as activities receive it; unit tests never assume it for real. */
export const testAccess = {
  installId: 'i-1',
  roleArn: 'arn:aws:iam::111111111111:role/r',
  externalId: 'x'.repeat(48),
  region: 'us-east-1',
};

/** An error shaped as the SDK raises what AWS answered: its code as the name, AWS's message, the HTTP status. */
export function awsError(code: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode, requestId: 'req-1' } });
}

/** Customer sessions that hand out these clients for the whole access they are given (unit tests pass `testAccess`). */
export function fakeSessions(clients: Partial<CustomerClients>): CustomerSessions {
  const sessions = {
    clients: async () => clients,
    session: async (access: CustomerAccess) => ({ clients, access }),
    resolve: async (access: CustomerAccess) => access,
  };
  return sessions as unknown as CustomerSessions;
}

/** Dependencies whose customer session hands out a CloudFormation client (mock it with aws-sdk-client-mock). */
export function cloudFormationDeps(): ActivityDeps {
  const sessions = fakeSessions({ cloudFormation: new CloudFormationClient({ region: 'us-east-1' }) });
  return { sessions, pollIntervalMs: 1 } as ActivityDeps;
}

/** Activities that fail on purpose log their failures; these would bury the report. */
export const quietActivityEnvironment = () =>
  new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
