/**
 * Drives the notes app (client/app) in headless Chromium the way a user does:
 * devices (browser contexts with their own IndexedDB, so their own sync client),
 * the sync badge, and the note list's controls, by the app's data-testid names.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

/** How long the app gets to show what sync brings (pushes, pulls, the live stream). */
export const POLL = { timeout: 20_000, interval: 100 };

export interface Device {
  context: BrowserContext;
  page: Page;
  /** Page errors and requests that left the gateway: a test ends expecting none. */
  problems: string[];
}

/** Opens devices on one app URL and closes them all at the end. */
export class Devices {
  readonly #open: Device[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly appUrl: string,
  ) {}

  /** A new device with the app loaded and its sync live. */
  async open(viewport = { width: 1100, height: 860 }): Promise<Device> {
    const context = await this.browser.newContext({ viewport });
    const page = await context.newPage();
    const device: Device = { context, page, problems: [] };
    this.#open.push(device);
    page.on('pageerror', (error) => device.problems.push(String(error)));
    // Requests only ever go to the gateway (no CDN, no internet).
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol.startsWith('http') && url.hostname !== '127.0.0.1') device.problems.push(`outside request: ${request.url()}`);
    });
    await page.goto(this.appUrl);
    await expect.poll(() => badgeState(page), POLL).toBe('live');
    return device;
  }

  /** A context of the app's origin without the app, to prepare its storage before it starts. */
  async openBlank(viewport = { width: 390, height: 844 }): Promise<Page> {
    const context = await this.browser.newContext({ viewport });
    const page = await context.newPage();
    this.#open.push({ context, page, problems: [] });
    await page.goto(new URL('/manifest.webmanifest', this.appUrl).href);
    return page;
  }

  async closeAll() {
    for (const { context } of this.#open.splice(0)) await context.close().catch(() => {});
  }
}

export function badgeState(page: Page): Promise<string | null> {
  return page.getByTestId('sync-badge').getAttribute('data-state', { timeout: 1_000 }).catch(() => null);
}

export async function badge(page: Page) {
  const element = page.getByTestId('sync-badge');
  const pending = page.getByTestId('pending-count');
  return {
    text: (await element.innerText()).trim(),
    online: await element.getAttribute('data-online'),
    pending: Number(await pending.getAttribute('data-count')),
  };
}

/** Waits until the device's outbox is empty: the server has answered every change. */
export async function allSent(page: Page) {
  await expect.poll(async () => (await badge(page)).pending, POLL).toBe(0);
}

export interface ShownNote {
  title: string;
  body: string;
  pinned: boolean;
}

/** The notes as shown, top to bottom. */
export function shownNotes(page: Page): Promise<ShownNote[]> {
  return page.$$eval('[data-testid="note"]', (elements) =>
    elements.map((element) => ({
      title: element.querySelector('[data-testid="note-title"]')?.textContent ?? '',
      body: element.querySelector('[data-testid="note-body"]')?.textContent ?? '',
      pinned: element.getAttribute('data-pinned') === 'true',
    })),
  );
}

export const noteCard = (page: Page, title: string) =>
  page.getByTestId('note').filter({ has: page.getByTestId('note-title').getByText(title, { exact: true }) });

export async function createNote(page: Page, note: { title: string; body: string; pinned?: boolean; tags?: string }) {
  await page.getByTestId('new-title').fill(note.title);
  await page.getByTestId('new-body').fill(note.body);
  if (note.tags) await page.getByTestId('new-tags').fill(note.tags);
  if (note.pinned) await page.getByTestId('new-pinned').check();
  await page.getByTestId('add-note').click();
  await noteCard(page, note.title).waitFor();
}

export async function editNote(page: Page, title: string, changes: { title?: string; body?: string; pinned?: boolean }) {
  await noteCard(page, title).getByTestId('note-edit').click();
  const editor = page.getByTestId('note-editor');
  if (changes.title !== undefined) await editor.getByTestId('edit-title').fill(changes.title);
  if (changes.body !== undefined) await editor.getByTestId('edit-body').fill(changes.body);
  if (changes.pinned !== undefined) await editor.getByTestId('edit-pinned').setChecked(changes.pinned);
  await editor.getByTestId('edit-save').click();
  await editor.waitFor({ state: 'detached' });
}
