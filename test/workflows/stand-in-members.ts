/**
 * The workflows an organization install's workflow tests run: the organization install itself, and a stand-in for
 * each member install that only waits. The organization reads its members' phases through an activity the tests
 * mock, so a real install's life adds nothing to what they check; on the time-skipping server it added hundreds of
 * events per member and their endings (a member failing its runner check-in hours in, its first-report watch
 * cancelled), and with them the Java test server's occasional hang in a time skip.
 */
import { condition, setHandler } from '@temporalio/workflow';
import { deprovisionSignal } from '../../workflows/definitions';

export { organizationInstallWorkflow } from '../../workflows/organization-install';

/** Registered under the member install's type name; takes the deprovision signal and never ends by itself. */
export async function installWorkflow(): Promise<void> {
  setHandler(deprovisionSignal, () => undefined);
  await condition(() => false);
}
