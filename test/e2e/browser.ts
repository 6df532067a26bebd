import { chromium, type Browser } from 'playwright-core';
import { ensureChromium } from '../../devstack/tools';

/** Debian's Chromium, headless, as the browser tests drive it. */
export async function launchTestBrowser(): Promise<Browser> {
  const executablePath = await ensureChromium((line) => process.stderr.write(`${line}\n`));
  return chromium.launch({
    executablePath,
    // As root in a container, without the network: no sandbox, and none of Chromium's background calls home.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
