import { useTestApi } from '../api-server';
import { expectedCensus } from '../customer-account';
import { deprovisionFleet, fleetCensus, lostInstalls, onboardFleet } from '../fleet';
import { uniqueInstallId, withTestWorker } from '../helpers';

// 100 by default: the cluster fault suite drives another 100 at once, beside a SIGKILLed history service.
const installs = Number(process.env.LOAD_INSTALLS ?? 100);
const inFlight = 40;

describe(`load: ${installs} installs at once through the API, against real Temporal, moto and the CUR endpoint`, () => {
  const { taskQueue, api } = useTestApi('load');

  it('completes every one from start to deprovisioned, with one of each resource per install while active and none after', async () => {
    const ids = Array.from({ length: installs }, () => uniqueInstallId('load'));
    const { outcome, atActive } = await withTestWorker(
      async () => {
        await onboardFleet(api, ids, { inFlight });
        const atActive = await fleetCensus(ids);
        return { atActive, outcome: await deprovisionFleet(api, ids, { inFlight }) };
      },
      { taskQueue },
    );
    const lost = lostInstalls(ids, outcome);
    process.stderr.write(
      `load: ${installs} started, ${installs - lost.length} deprovisioned cleanly, ${lost.length} lost\n`,
    );
    expect(lost).toEqual([]);
    expect(atActive).toEqual(expectedCensus(installs, 'up'));
    expect(await fleetCensus(ids)).toEqual(expectedCensus(installs, 'deprovisioned'));
  }, 900_000);
});
