import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath } from '../helpers/browser.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

let gw: TestGateway;
let browser: Browser;
beforeAll(async () => {
  gw = await startTestGateway({ jwtSecret: null });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await gw?.close();
});

describe('GraphiQL in a browser', () => {
  it('lets a newcomer push and pull a note with the pre-filled dev token, with no internet', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const outside: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol.startsWith('http') && url.hostname !== '127.0.0.1') outside.push(request.url());
    });

    await page.goto(gw.url);
    await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });

    const run = async (operation: string) => {
      await page.locator('.graphiql-execute-button').click();
      await page.getByRole('menuitem', { name: operation, exact: true }).click();
    };
    // The response editor renders spaces as non-breaking spaces.
    const responseText = async () => (await page.locator('.graphiql-response').innerText()).replaceAll('\u00a0', ' ');

    await run('Push');
    await expect.poll(responseText, { timeout: 15_000 }).toMatch(/APPLIED|DUPLICATE/);
    await run('Pull');
    await expect.poll(responseText, { timeout: 15_000 }).toContain('From GraphiQL');
    await page.screenshot({ path: screenshotPath('graphiql.png') });

    // What the browser showed is what the gateway stored, in the dev workspace.
    const pulled = await gw.graphql(gw.gateway.devToken, '{ pullChanges { changes { record { ... on Note { title body } } } } }');
    expect(pulled.data.pullChanges.changes.map((c: any) => c.record.body)).toContain('From GraphiQL');
    expect(outside).toEqual([]);
    await page.close();
  });
});
