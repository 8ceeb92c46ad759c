/**
 * The notes app (client/app, built by the browser project's globalSetup) in
 * headless Chromium, served by a dev-mode gateway: two browser contexts are two
 * devices of the dev workspace. One goes offline, edits, reloads while still
 * offline (the service worker serves the app, IndexedDB holds the edits),
 * comes back, and both end up showing the same notes, each with the other's edits.
 */
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath } from '../helpers/browser.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { PUSH } from '../helpers/sync.ts';
import { badge, badgeState, createNote, Devices, editNote, noteCard, POLL, shownNotes, type ShownNote } from './notes-app-driver.ts';

let gw: TestGateway;
let browser: Browser;
let appUrl: string;
let devices: Devices;

beforeAll(async () => {
  gw = await startTestGateway({ jwtSecret: null });
  appUrl = gw.url.replace(/\/graphql$/, '/');
  browser = await launchChromium();
  devices = new Devices(browser, appUrl);
});
afterAll(async () => {
  await devices?.closeAll();
  await browser?.close();
  await gw?.close();
});

describe('the notes app', () => {
  it('keeps working offline, across an offline reload, and converges with another device', async () => {
    // A note that exists before either device opens the app: it arrives by pull.
    const seeded = await gw.graphql(gw.gateway.devToken, PUSH, {
      clientId: 'seed',
      changes: [
        {
          mutationId: 'seed-1',
          entityType: 'Note',
          entityId: randomUUID(),
          op: 'INSERT',
          data: { title: 'Welcome', body: 'Notes sync through the gateway, online or not.', pinned: false },
        },
      ],
    });
    expect(seeded.data.pushChanges.results[0].status).toBe('APPLIED');

    const a = await devices.open();
    const b = await devices.open();
    for (const { page } of [a, b]) {
      await expect.poll(() => shownNotes(page), POLL).toEqual([{ title: 'Welcome', body: 'Notes sync through the gateway, online or not.', pinned: false }]);
    }

    // Online: A's new note reaches B through the live stream.
    await createNote(a.page, { title: 'Shopping list', body: 'milk' });
    await expect.poll(async () => (await badge(a.page)).pending, POLL).toBe(0);
    await expect.poll(async () => (await shownNotes(b.page)).map((n) => n.title), POLL).toContain('Shopping list');

    // The service worker has the app shell cached before A goes offline.
    const workerActive = await a.page.evaluate(async () => Boolean((await navigator.serviceWorker.ready).active));
    expect(workerActive).toBe(true);

    // A goes offline: edits an existing note and creates two.
    await a.context.setOffline(true);
    await editNote(a.page, 'Shopping list', { body: 'milk, eggs, bread' });
    await createNote(a.page, { title: 'Written offline', body: 'on the train, no signal' });
    await createNote(a.page, { title: 'Call the plumber', body: 'before Friday', pinned: true });
    await expect.poll(() => badge(a.page), POLL).toEqual({ text: expect.stringContaining('Offline'), online: 'false', pending: 3 });
    await expect(a.page.getByTestId('pending-count').innerText()).resolves.toBe('3 pending');

    // Meanwhile B, online, renames the note A edited (another field: both edits survive).
    await editNote(b.page, 'Shopping list', { title: 'Groceries' });
    await expect.poll(async () => (await badge(b.page)).pending, POLL).toBe(0);

    // A reloads with no network: the service worker serves the app, IndexedDB the notes and the outbox.
    await a.page.reload();
    await expect.poll(() => badge(a.page), POLL).toEqual({ text: expect.stringContaining('Offline'), online: 'false', pending: 3 });
    const offlineAfterReload = [
      { title: 'Call the plumber', body: 'before Friday', pinned: true },
      { title: 'Written offline', body: 'on the train, no signal', pinned: false },
      { title: 'Shopping list', body: 'milk, eggs, bread', pinned: false },
      { title: 'Welcome', body: 'Notes sync through the gateway, online or not.', pinned: false },
    ];
    await expect.poll(() => shownNotes(a.page), POLL).toEqual(offlineAfterReload);
    await a.page.screenshot({ path: screenshotPath('notes-app-offline.png') });

    // Back online: A sends its outbox and pulls what it missed.
    await a.context.setOffline(false);
    await expect.poll(() => badge(a.page), POLL).toEqual({ text: expect.stringContaining('Online'), online: 'true', pending: 0 });
    const expected = [
      { title: 'Call the plumber', body: 'before Friday', pinned: true },
      { title: 'Groceries', body: 'milk, eggs, bread', pinned: false },
      { title: 'Written offline', body: 'on the train, no signal', pinned: false },
      { title: 'Welcome', body: 'Notes sync through the gateway, online or not.', pinned: false },
    ];
    const sortedByTitle = (notes: ShownNote[]) => [...notes].sort((x, y) => x.title.localeCompare(y.title));
    await expect.poll(async () => sortedByTitle(await shownNotes(a.page)), POLL).toEqual(sortedByTitle(expected));
    await expect.poll(async () => sortedByTitle(await shownNotes(b.page)), POLL).toEqual(sortedByTitle(expected));
    // Same order on both: pinned first, then the most recently changed.
    await expect.poll(async () => JSON.stringify(await shownNotes(a.page)), POLL).toBe(JSON.stringify(await shownNotes(b.page)));
    expect((await shownNotes(a.page))[0]).toEqual({ title: 'Call the plumber', body: 'before Friday', pinned: true });

    // And the gateway holds exactly that.
    const stored = await gw.graphql(gw.gateway.devToken, '{ notes { title body pinned } }');
    expect(sortedByTitle(stored.data.notes)).toEqual(sortedByTitle(expected));

    await a.page.screenshot({ path: screenshotPath('notes-app.png'), fullPage: true });

    // A phone-sized device sees the same notes.
    const phone = await devices.open({ width: 390, height: 844 });
    await expect.poll(async () => sortedByTitle(await shownNotes(phone.page)), POLL).toEqual(sortedByTitle(expected));
    await phone.page.screenshot({ path: screenshotPath('notes-app-phone.png') });

    // Deleting works the same way: gone on every device.
    await noteCard(b.page, 'Written offline').getByTestId('note-delete').click();
    for (const { page } of [a, b, phone]) {
      await expect.poll(async () => (await shownNotes(page)).map((n) => n.title), POLL).not.toContain('Written offline');
    }

    for (const device of [a, b, phone]) expect(device.problems).toEqual([]);
  });

  it('shows a change the server refused, with its error, and lets the user retry or discard it', async () => {
    // A change no UI action produces (an edit of a note that does not exist) put in
    // the outbox the app will send at start, as if it had been made before a restart.
    const page = await devices.openBlank({ width: 390, height: 844 });
    const mutationId = randomUUID();
    await page.evaluate(PUT_SYNC_STATE, {
      // main.tsx: one database per workspace and user (the dev token: workspace "dev", user "dev-user").
      database: 'sync-gateway:dev:dev-user',
      state: {
        clientId: randomUUID(),
        syncToken: null,
        lastSyncedAt: null,
        pending: [
          { mutationId, entityType: 'Note', entityId: randomUUID(), op: 'UPDATE', data: { title: 'A note nobody has' }, queuedAt: new Date().toISOString() },
        ],
        failed: [],
      },
    });

    await page.goto(appUrl);
    const failed = page.getByTestId('failed-change');
    await failed.waitFor({ timeout: 20_000 });
    await expect(failed.getAttribute('data-mutation-id')).resolves.toBe(mutationId);
    await expect(failed.getByTestId('failed-error').innerText()).resolves.toMatch(/^RECORD_NOT_FOUND: /);
    await expect(failed.innerText()).resolves.toContain('A note nobody has');
    await expect.poll(async () => (await badge(page)).pending, POLL).toBe(0);
    await page.screenshot({ path: screenshotPath('notes-app-failed.png') });

    // Retry sends it again: the server refuses it again, and it comes back to the list.
    const firstFailure = await failed.getAttribute('data-failed-at');
    await failed.getByTestId('retry-failed').click();
    await expect.poll(() => failed.getAttribute('data-failed-at', { timeout: 1_000 }).catch(() => null), POLL).not.toBe(firstFailure);
    await expect.poll(() => failed.getAttribute('data-failed-at', { timeout: 1_000 }).catch(() => null), POLL).not.toBeNull();
    expect(await page.getByTestId('failed-change').count()).toBe(1);
    await expect.poll(async () => (await badge(page)).pending, POLL).toBe(0);

    // Discard drops it for good, also across a reload.
    await page.getByTestId('discard-failed').click();
    await expect.poll(() => page.getByTestId('failed-changes').count(), POLL).toBe(0);
    await page.reload();
    await expect.poll(() => badgeState(page), POLL).toBe('live');
    expect(await page.getByTestId('failed-changes').count()).toBe(0);
  });
});

/** Runs in the page: writes the sync client's state where IndexedDBStorage keeps it (client/lib/storage-indexeddb.ts). */
const PUT_SYNC_STATE = ({ database, state }: { database: string; state: unknown }) =>
  new Promise<void>((resolve, reject) => {
    const open = indexedDB.open(database, 1);
    open.onupgradeneeded = () => {
      for (const store of ['entries', 'metadata', 'state']) open.result.createObjectStore(store);
    };
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const transaction = open.result.transaction('state', 'readwrite');
      transaction.objectStore('state').put(state, 'sync');
      transaction.oncomplete = () => {
        open.result.close();
        resolve();
      };
      transaction.onerror = () => reject(transaction.error);
    };
  });
