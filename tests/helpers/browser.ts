/**
 * Headless Chromium from Debian's package, driven by playwright-core. Browser
 * tests never download a browser: when none is installed they fail and say how
 * to get one.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const testResultsDir = join(import.meta.dirname, '..', '..', 'test-results');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Browser tests need Chromium at ${chromiumPath}. Install Debian's package (apt-get install chromium), ` +
        'or set CHROMIUM_PATH to a Chromium binary.',
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export function screenshotPath(name: string): string {
  mkdirSync(testResultsDir, { recursive: true });
  return join(testResultsDir, name);
}
