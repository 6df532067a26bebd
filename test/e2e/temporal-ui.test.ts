import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchTestBrowser } from './browser';
import { closeTestClient, stack, testClient, withTestWorker } from '../helpers';
import { startInstall, testInstallInput, waitForPhase } from '../install-driver';
import { mockActivities } from '../workflows/mock-activities';
import { submitRoleArnUpdate } from '../../workflows/definitions';

const artifactsDir = join(__dirname, '..', '..', 'test-results');

describe('the install as an operator sees it in the Temporal Web UI', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchTestBrowser();
    mkdirSync(artifactsDir, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await closeTestClient();
  });

  it('finds the install by its InstallId search attribute and shows its phase and step summaries', async () => {
    const { activities } = mockActivities();
    await withTestWorker(
      async ({ taskQueue }) => {
        const client = await testClient();
        // The runner never checks in here: a check-in timeout longer than the browser's waits keeps the install in
        // handing_off, the phase the page must show, however slowly a loaded machine renders it.
        const input = testInstallInput('ui', {
          timeouts: { rolePropagation: '5 seconds', runnerCheckIn: '10 minutes', roleSubmission: '5 minutes' },
        });
        const handle = await startInstall(client, taskQueue, input);
        await handle.executeUpdate(submitRoleArnUpdate, {
          args: [{ roleArn: 'arn:aws:iam::111111111111:role/install-access' }],
        });
        await waitForPhase(handle, 'handing_off');

        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        const query = encodeURIComponent(`InstallId="${input.installId}"`);
        await page.goto(`${stack.temporalUiUrl}/namespaces/default/workflows?query=${query}`);
        const row = page.getByRole('link', { name: input.installId });
        await row.first().waitFor({ timeout: 30_000 });
        await page.screenshot({ path: join(artifactsDir, 'temporal-ui-install-list.png') });

        await row.first().click();
        await page
          .getByText('Check the role grants every action the install needs')
          .first()
          .waitFor({ timeout: 30_000 });
        await page
          .getByRole('tab', { name: /Search Attributes/ })
          .first()
          .click();
        await page.getByText('handing_off').first().waitFor({ timeout: 30_000 });
        await page.screenshot({ path: join(artifactsDir, 'temporal-ui-install.png'), fullPage: true });
        await handle.terminate('test done');
      },
      { activityOverrides: activities },
    );
  });
});
