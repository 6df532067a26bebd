import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createRoleFromArtifacts } from '../../devstack/customer-role';
import { launchTestBrowser } from './browser';
import type { OnboardingArtifacts } from '../../domain/onboarding-artifacts';
import { mintCustomerLinkToken } from '../../security/customer-link-token';
import { checkInRunnerThroughApi, startInstallWithCustomerLink, startTestApi, type TestApi } from '../api-server';
import { recordHistoryIfAsked } from '../workflows/record-history';
import {
  closeTestClient,
  testClient,
  customerAccount,
  otherAccount,
  runnerTokenKey,
  stack,
  uniqueInstallId,
  waitUntil,
  withTestWorker,
} from '../helpers';
import { randomBytes } from 'node:crypto';

const artifactsDir = join(__dirname, '..', '..', 'test-results');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const desktop = { width: 1280, height: 900 };
const phone = { width: 390, height: 844 };

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: Array<{ target: unknown }>;
}

/** axe-core injected through the DevTools protocol (the page's CSP rightly refuses it as a script tag). */
async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate<AxeViolation[]>(
    "axe.run(document, { resultTypes: ['violations'] }).then((results) => results.violations)",
  );
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** What the page's own script and the browser complained of: CSP refusals, script errors. */
function watchComplaints(page: Page): string[] {
  const complaints: string[] = [];
  page.on('console', (message) => {
    // The refused ARN's 400 is the answer the page shows; Chromium logs every 4xx fetch as an error too.
    if (message.type() === 'error' && !/status of 400 \(Bad Request\)/.test(message.text())) {
      complaints.push(message.text());
    }
  });
  page.on('pageerror', (error) => complaints.push(error.message));
  return complaints;
}

describe("the customer's onboarding page in a real browser, against the real stack", () => {
  const taskQueue = `customer-e2e-${randomBytes(6).toString('hex')}`;
  let browser: Browser;
  let api: TestApi;
  const journey: Array<{ step: string; ms: number }> = [];

  beforeAll(async () => {
    browser = await launchTestBrowser();
    api = await startTestApi({ taskQueue, customerPage: { pushIntervalMs: 500 } });
    mkdirSync(artifactsDir, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.app.close();
    await closeTestClient();
    if (journey.length > 0) {
      writeFileSync(join(artifactsDir, 'customer-journey.json'), `${JSON.stringify(journey, null, 2)}\n`);
    }
  });

  async function startInstall(label: string) {
    const installId = uniqueInstallId(label);
    const { customerUrl } = await startInstallWithCustomerLink(api, installId, {
      orgId: 'org-customer-e2e',
      timeouts: { rolePropagation: '2 minutes', runnerCheckIn: '5 minutes' },
    });
    return { installId, customerUrl };
  }

  async function download(page: Page, linkName: string): Promise<string> {
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: linkName, exact: true }).click(),
    ]);
    return readFileSync((await file.path())!, 'utf8');
  }

  const checkInRunner = (installId: string) => checkInRunnerThroughApi(api, installId, 'runner-e2e');

  it('takes the customer from the link to an active install: kit, role, a wrong ARN and its fix, live progress', async () => {
    await withTestWorker(
      async () => {
        const began = Date.now();
        let last = began;
        const lap = (step: string) => {
          const now = Date.now();
          journey.push({ step, ms: now - last });
          last = now;
        };
        const { installId, customerUrl } = await startInstall('journey');
        lap('vendor starts the install and gets the customer link');

        const page = await browser.newPage({ viewport: desktop });
        const complaints = watchComplaints(page);
        const opened = await page.goto(customerUrl);
        expect(opened?.status()).toBe(200);
        await page.getByRole('heading', { name: `Connect AWS account ${customerAccount.accountId}` }).waitFor();
        lap('customer opens the link');
        // Set now and read at the end: a reload would lose it.
        await page.evaluate(() => ((globalThis as unknown as { sameDocument: boolean }).sameDocument = true));

        // Keyboard first: the skip link is the first stop and takes the customer straight to the ARN box.
        await page.keyboard.press('Tab');
        await expect(page.evaluate<string>('document.activeElement.textContent')).resolves.toBe(
          'Skip to the role ARN box',
        );
        await page.keyboard.press('Enter');
        await expect(page.evaluate<string>('document.activeElement.id')).resolves.toBe('role-arn');

        const externalId = await page.getByRole('textbox', { name: 'External ID' }).inputValue();
        await page.getByRole('button', { name: 'Copy' }).click();
        await page.getByText(/Copied|Selected/).waitFor();
        const script = await download(page, 'AWS CLI script');
        const terraform = await download(page, 'Terraform file');
        expect(script).toContain('aws iam create-role');
        expect(terraform).toContain('resource "aws_iam_role"');
        const kit = {
          roleName: /--role-name (\S+)/.exec(script)![1]!,
          trustPolicy: JSON.parse(await download(page, 'Trust policy (JSON)')),
          provisionPolicy: JSON.parse(await download(page, 'Provision policy (JSON)')),
          deprovisionPolicy: JSON.parse(await download(page, 'Deprovision policy (JSON)')),
        } as OnboardingArtifacts;
        expect(JSON.stringify(kit.trustPolicy)).toContain(externalId);
        lap('customer downloads the kit');

        // As the customer, with the customer's own credentials: the role from the downloaded files.
        const roleArn = await createRoleFromArtifacts({
          endpoint: stack.awsEndpoint,
          credentials: customerAccount.credentials,
          artifacts: kit,
        });
        lap('customer creates the role from the kit (AWS SDK)');

        const arnBox = page.getByRole('textbox', { name: 'Role ARN' });
        await arnBox.fill(roleArn.replace(customerAccount.accountId, otherAccount.accountId));
        await page.getByRole('button', { name: 'Check and use this role' }).click();
        const result = page.locator('#role-result');
        await result.getByText(`belongs to account ${otherAccount.accountId}`).waitFor();
        await result.getByText('What to do:').waitFor();
        expect(await arnBox.getAttribute('aria-invalid')).toBe('true');
        lap('customer pastes a wrong-account ARN and sees the fix');
        await page.screenshot({ path: join(artifactsDir, 'customer-page-wrong-arn.png'), fullPage: true });
        expect(await seriousViolations(page)).toEqual([]);

        await arnBox.fill(roleArn);
        await page.getByRole('button', { name: 'Check and use this role' }).click();
        await result.getByText(`Role ${roleArn} verified.`).waitFor({ timeout: 60_000 });
        lap('customer pastes the right ARN; the page shows it verified');

        await page.locator('[data-stage="runner"].stage-running').waitFor({ timeout: 120_000 });
        lap('sandbox and cost report done; the page waits for the runner');
        await checkInRunner(installId);
        await page.locator('[data-stage="active"].stage-done').waitFor({ timeout: 60_000 });
        await page.getByText('Your install is active. Nothing more to do.').waitFor();
        lap('runner checks in; the page shows the install active');
        journey.push({ step: 'total', ms: Date.now() - began });

        expect(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
          true,
        );
        for (const stage of ['verify', 'sandbox', 'cost_report', 'runner']) {
          await expect(page.locator(`[data-stage="${stage}"]`).getAttribute('class')).resolves.toContain('stage-done');
          await expect(page.locator(`[data-stage="${stage}"] .stage-time`).textContent()).resolves.toMatch(/^took /);
        }
        await page.screenshot({ path: join(artifactsDir, 'customer-page-desktop.png'), fullPage: true });
        expect(await seriousViolations(page)).toEqual([]);

        await page.setViewportSize(phone);
        // Readable at phone width: nothing wider than the screen.
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
        expect(overflow).toBeLessThanOrEqual(0);
        await page.screenshot({ path: join(artifactsDir, 'customer-page-phone.png'), fullPage: true });
        expect(await seriousViolations(page)).toEqual([]);
        expect(complaints).toEqual([]);
        await page.close();
        process.stderr.write(`customer journey: ${JSON.stringify(journey)}\n`);
        await api.call('POST', `/installs/${installId}/deprovision`, {});
      },
      { taskQueue },
    );
  });

  it('moves on by itself when the role template calls back (zero-paste)', async () => {
    await withTestWorker(
      async () => {
        const { installId, customerUrl } = await startInstall('zero-paste');
        const page = await browser.newPage({ viewport: desktop });
        const complaints = watchComplaints(page);
        await page.goto(customerUrl);
        const quickCreate = new URL(
          (await page.getByRole('link', { name: /Create the role in the AWS console/ }).getAttribute('href'))!,
        );
        const parameters = new URLSearchParams(quickCreate.hash.split('?')[1]);
        const kit = (await api.call('GET', `/installs/${installId}/onboarding`)).body as OnboardingArtifacts;
        const roleArn = await createRoleFromArtifacts({
          endpoint: stack.awsEndpoint,
          credentials: customerAccount.credentials,
          artifacts: kit,
        });
        // What the stack's custom resource does once the role exists.
        const called = await api.call(
          'POST',
          `/installs/${installId}/onboarding/callback`,
          {
            roleArn,
            stackId: `arn:aws:cloudformation:us-east-1:${customerAccount.accountId}:stack/install-${installId}-access/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`,
          },
          { authorization: `Bearer ${parameters.get('param_CallbackToken')}` },
        );
        expect(called.status).toBe(202);
        await page.locator('[data-stage="verify"].stage-done').waitFor({ timeout: 60_000 });
        await page.getByText(`Role ${roleArn} verified.`).waitFor();
        expect(complaints).toEqual([]);
        await page.close();
        await api.call('POST', `/installs/${installId}/deprovision`, {});
      },
      { taskQueue },
    );
  });

  it('says it waits for AWS while a role pasted before it exists is refused, and verifies it soon after it appears', async () => {
    await withTestWorker(
      async () => {
        const { installId, customerUrl } = await startInstall('early-paste');
        const kit = (await api.call('GET', `/installs/${installId}/onboarding`)).body as OnboardingArtifacts;
        const page = await browser.newPage({ viewport: desktop });
        await page.goto(customerUrl);
        const roleArn = `arn:aws:iam::${customerAccount.accountId}:role/${kit.roleName}`;
        await page.getByRole('textbox', { name: 'Role ARN' }).fill(roleArn);
        await page.getByRole('button', { name: 'Check and use this role' }).click();
        await page.getByText('Waiting for AWS to make the role usable', { exact: false }).first().waitFor();
        await expect(page.locator('#announcer').textContent()).resolves.toBe(
          'Waiting for AWS to make the role usable.',
        );

        // The role appears just after a refused attempt deep into the backoff, where the wait between attempts is
        // longest: the worst case for how soon verification notices it.
        const handle = (await testClient()).workflow.getHandle(installId);
        const deepAttempt = 8;
        await waitUntil(
          async () => (await handle.describe()).raw.pendingActivities ?? [],
          (activities) =>
            activities.some(
              (activity) =>
                activity.activityType?.name === 'verifyRoleAccess' && (activity.attempt ?? 0) >= deepAttempt,
            ),
          120_000,
        );
        await createRoleFromArtifacts({
          endpoint: stack.awsEndpoint,
          credentials: customerAccount.credentials,
          artifacts: kit,
        });
        const createdAt = Date.now();
        await page.getByText(`Role ${roleArn} verified.`).waitFor({ timeout: 60_000 });
        const seenAt = Date.now();
        const status = await api.call('GET', `/installs/${installId}`);
        const verifiedAt = Date.parse(status.body.install.role.verifiedAt);
        const delays = { roleCreatedToVerifiedMs: verifiedAt - createdAt, roleCreatedToPageMs: seenAt - createdAt };
        process.stderr.write(`propagation: ${JSON.stringify(delays)}\n`);
        writeFileSync(join(artifactsDir, 'customer-propagation.json'), `${JSON.stringify(delays, null, 2)}\n`);
        expect(delays.roleCreatedToVerifiedMs).toBeLessThanOrEqual(10_000);
        await page.close();
        await api.call('POST', `/installs/${installId}/deprovision`, {});
        await handle.result();
        // A fixture of the faster polling (the release patch, workflows/patches.ts) for the replay test.
        await recordHistoryIfAsked(handle, 'role-propagation-poll-3s-release-patch');
      },
      { taskQueue },
    );
  });

  it('refuses a forged or expired link with a problem, not the page', async () => {
    await withTestWorker(
      async () => {
        const { installId, customerUrl } = await startInstall('refused');
        const link = new URL(customerUrl);
        const token = link.searchParams.get('token')!;
        const page = await browser.newPage({ viewport: desktop });

        link.searchParams.set('token', `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`);
        const forged = await page.goto(link.toString());
        expect(forged?.status()).toBe(401);
        await expect(page.content()).resolves.toContain('invalid-customer-link');

        const expired = mintCustomerLinkToken(runnerTokenKey, installId, token.split('.')[0]!, Date.now() - 60_000);
        link.searchParams.set('token', expired);
        const gone = await page.goto(link.toString());
        expect(gone?.status()).toBe(410);
        await expect(page.content()).resolves.toContain('customer-link-expired');
        await expect(page.content()).resolves.not.toContain('External ID');
        await page.close();
        await api.call('POST', `/installs/${installId}/deprovision`, {});
      },
      { taskQueue },
    );
  });
});
