/**
 * The notes app when two devices edit the same things offline (two browser
 * contexts of the dev workspace, each its own sync client): a note's text
 * edited on both becomes a conflict both devices show side by side until one
 * user settles it; two folders both named "Work" become one; likes from both
 * add up; and a tag one device removed while the other added it stays.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath } from '../helpers/browser.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { allSent, createNote, Devices, editNote, noteCard, POLL, type Device } from './notes-app-driver.ts';

let gw: TestGateway;
let browser: Browser;
let devices: Devices;

beforeAll(async () => {
  gw = await startTestGateway({ jwtSecret: null });
  browser = await launchChromium();
  devices = new Devices(browser, gw.url.replace(/\/graphql$/, '/'));
});
afterEach(async () => {
  await devices.closeAll();
});
afterAll(async () => {
  await browser?.close();
  await gw?.close();
});

/** What the gateway holds, asked directly (as the dev user of the app). */
async function stored<T>(query: string): Promise<T> {
  const response = await gw.graphql<T>(gw.gateway.devToken, query);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

const bodyOf = (page: Page, title: string) => noteCard(page, title).getByTestId('note-body').innerText({ timeout: 1_000 }).catch(() => null);

const editConflict = (page: Page, title: string) =>
  page.getByTestId('conflict').filter({ has: page.getByRole('heading', { name: `Two versions of “${title}”` }) });

/** A conflict card as the user reads it: both versions with where each came from, and the merge box. */
async function shownConflict(page: Page, title: string) {
  const card = editConflict(page, title);
  const side = async (testId: string) => ({
    text: await card.getByTestId(testId).getByTestId('version-text').innerText(),
    source: await card.getByTestId(testId).getByTestId('version-source').innerText(),
  });
  return { current: await side('conflict-current'), incoming: await side('conflict-incoming'), merge: await card.getByTestId('merge-box').inputValue() };
}

/** Both devices edit the note's text offline, A's edit reaches the gateway first, then B's. */
async function editOnBothOffline(a: Device, b: Device, title: string, bodies: { start: string; a: string; b: string }) {
  await createNote(a.page, { title, body: bodies.start });
  await allSent(a.page);
  await expect.poll(() => bodyOf(b.page, title), POLL).toBe(bodies.start);

  await a.context.setOffline(true);
  await b.context.setOffline(true);
  await editNote(a.page, title, { body: bodies.a });
  await editNote(b.page, title, { body: bodies.b });

  await a.context.setOffline(false);
  await allSent(a.page);
  await b.context.setOffline(false);
  await allSent(b.page);
}

async function expectNoConflicts(...pages: Page[]) {
  for (const page of pages) await expect.poll(() => page.getByTestId('conflict').count(), POLL).toBe(0);
  expect(await stored<{ conflicts: unknown[] }>('{ conflicts { id } }')).toEqual({ conflicts: [] });
}

describe('the notes app with edits made offline on two devices', () => {
  it('shows both versions of a note’s text on both devices until one user keeps one', async () => {
    const a = await devices.open();
    const b = await devices.open();
    const bodies = { start: 'Pack bags', a: 'Pack bags, passport', b: 'Pack bags, train tickets' };
    await editOnBothOffline(a, b, 'Trip plan', bodies);

    // The gateway kept A's text (first to arrive) and held B's back: both devices show both, and say whose is whose.
    for (const page of [a.page, b.page]) {
      await editConflict(page, 'Trip plan').waitFor({ timeout: POLL.timeout });
      await expect.poll(() => bodyOf(page, 'Trip plan'), POLL).toBe(bodies.a);
      await expect(noteCard(page, 'Trip plan').getByTestId('note-conflict-flag').isVisible()).resolves.toBe(true);
    }
    expect(await shownConflict(b.page, 'Trip plan')).toEqual({
      current: { text: bodies.a, source: 'saved first, from another device' },
      incoming: { text: bodies.b, source: 'from this device, held back' },
      merge: `${bodies.a}\n\n${bodies.b}`,
    });
    const onA = await shownConflict(a.page, 'Trip plan');
    expect(onA.current).toEqual({ text: bodies.a, source: 'saved first' });
    expect(onA.incoming).toEqual({ text: bodies.b, source: expect.stringMatching(/^from another device \([0-9a-f]{6}\), held back$/) });

    await a.page.screenshot({ path: screenshotPath('conflict-panel.png') });
    await b.page.setViewportSize({ width: 390, height: 844 });
    await b.page.screenshot({ path: screenshotPath('conflict-panel-phone.png') });

    // B keeps its own version: both devices end with it, and the panel closes on both.
    await editConflict(b.page, 'Trip plan').getByTestId('keep-incoming').click();
    for (const page of [a.page, b.page]) {
      await expect.poll(() => bodyOf(page, 'Trip plan'), POLL).toBe(bodies.b);
      await expect.poll(() => noteCard(page, 'Trip plan').getByTestId('note-conflict-flag').count(), POLL).toBe(0);
    }
    await expectNoConflicts(a.page, b.page);
    const { notes } = await stored<{ notes: { title: string; body: string }[] }>('{ notes { title body } }');
    expect(notes.filter((n) => n.title === 'Trip plan')).toEqual([{ title: 'Trip plan', body: bodies.b }]);

    // Nothing was reported as a failed change: the conflict is the whole story.
    for (const device of [a, b]) {
      expect(await device.page.getByTestId('failed-changes').count()).toBe(0);
      expect(device.problems).toEqual([]);
    }
  });

  it('saves a hand-merged text from the conflict panel on both devices', async () => {
    const a = await devices.open();
    const b = await devices.open();
    const bodies = { start: 'Agenda:', a: 'Agenda:\n- budget', b: 'Agenda:\n- hiring' };
    await editOnBothOffline(a, b, 'Meeting', bodies);
    for (const page of [a.page, b.page]) await editConflict(page, 'Meeting').waitFor({ timeout: POLL.timeout });

    // A combines the two by hand, starting from the box that holds both.
    const box = editConflict(a.page, 'Meeting').getByTestId('merge-box');
    await expect(box.inputValue()).resolves.toBe(`${bodies.a}\n\n${bodies.b}`);
    const merged = 'Agenda:\n- budget\n- hiring';
    await box.fill(merged);
    await editConflict(a.page, 'Meeting').getByTestId('save-merged').click();

    for (const page of [a.page, b.page]) await expect.poll(() => bodyOf(page, 'Meeting'), POLL).toBe(merged);
    await expectNoConflicts(a.page, b.page);
    for (const device of [a, b]) expect(device.problems).toEqual([]);
  });

  it('merges two folders named "Work" made offline into one holding both notes, with a notice to dismiss', async () => {
    const a = await devices.open();
    const b = await devices.open();
    await a.context.setOffline(true);
    await b.context.setOffline(true);
    for (const [device, title] of [[a, 'Plan from A'], [b, 'Plan from B']] as const) {
      await createFolder(device.page, 'Work');
      await createNote(device.page, { title, body: 'filed offline' });
      expect(await noteCard(device.page, title).getByTestId('note-folder').inputValue()).toBe(await selectedFolderId(device.page));
    }

    await a.context.setOffline(false);
    await allSent(a.page);
    await b.context.setOffline(false);
    await allSent(b.page);

    const notice = 'Two folders named “Work” were merged; notes were moved into the one that existed first.';
    for (const page of [a.page, b.page]) {
      await expect.poll(() => page.getByTestId('notice-text').allInnerTexts(), POLL).toEqual([notice]);
      await expect.poll(() => folderChips(page), POLL).toEqual([{ name: 'Work', count: '2' }]);
      // B was looking at its own "Work": it now looks at the one that is left.
      await expect.poll(() => page.getByTestId('folder-title').innerText({ timeout: 1_000 }).catch(() => null), POLL).toMatch(/^Work/);
      await expect.poll(() => shownTitles(page), POLL).toEqual(['Plan from A', 'Plan from B']);
    }
    const survivorId = await selectedFolderId(a.page);
    expect(await selectedFolderId(b.page)).toBe(survivorId);
    await b.page.screenshot({ path: screenshotPath('folder-merge-notice.png') });

    // One device dismisses the notice: it goes away on both, and the folder stays.
    await b.page.getByTestId('dismiss-conflict').click();
    await expectNoConflicts(a.page, b.page);
    for (const page of [a.page, b.page]) {
      expect(await folderChips(page)).toEqual([{ name: 'Work', count: '2' }]);
      expect(await selectedFolderId(page)).toBe(survivorId);
    }

    const { folders, notes } = await stored<{ folders: { id: string; name: string }[]; notes: { title: string; folderId: string }[] }>(
      '{ folders { id name } notes { title folderId } }',
    );
    expect(folders).toEqual([{ id: survivorId, name: 'Work' }]);
    expect(notes.filter((n) => n.title.startsWith('Plan from')).map((n) => n.folderId)).toEqual([survivorId, survivorId]);
    for (const device of [a, b]) expect(device.problems).toEqual([]);
  });

  it('files notes in folders, and renames and deletes a folder, on both devices', async () => {
    const a = await devices.open();
    const b = await devices.open();
    await createFolder(a.page, 'Reading');
    await createNote(a.page, { title: 'Book list', body: 'Dune' });
    await a.page.getByTestId('folder-all').click();
    await createNote(a.page, { title: 'Loose note', body: 'no folder yet' });
    expect(await noteCard(a.page, 'Loose note').getByTestId('note-folder').inputValue()).toBe('');
    await noteCard(a.page, 'Loose note').getByTestId('note-folder').selectOption({ label: 'Reading' });
    await allSent(a.page);

    // B sees the folder with both notes, and filters by it.
    await expect.poll(() => chipCount(b.page, 'Reading'), POLL).toBe('2');
    await folderChip(b.page, 'Reading').click();
    await expect.poll(() => shownTitles(b.page), POLL).toEqual(['Book list', 'Loose note']);

    // A folder name this device already has is not created twice: the existing folder opens.
    await a.page.getByTestId('folder-all').click();
    await createFolder(a.page, 'Reading');
    expect(await folderChip(a.page, 'Reading').count()).toBe(1);
    await expect.poll(() => shownTitles(a.page), POLL).toEqual(['Book list', 'Loose note']);

    // B renames it; A, looking at it, sees the new name. A name another folder has is refused.
    await b.page.getByTestId('rename-folder').click();
    await b.page.getByTestId('rename-folder-name').fill('Books');
    await b.page.getByTestId('rename-folder-save').click();
    await allSent(b.page);
    for (const page of [a.page, b.page]) {
      await expect.poll(() => chipCount(page, 'Books'), POLL).toBe('2');
      expect(await folderChip(page, 'Reading').count()).toBe(0);
      await expect.poll(() => page.getByTestId('folder-title').innerText(), POLL).toMatch(/^Books/);
    }
    await createFolder(a.page, 'Archive');
    await folderChip(a.page, 'Books').click();
    await a.page.getByTestId('rename-folder').click();
    await a.page.getByTestId('rename-folder-name').fill('Archive');
    await expect(a.page.getByTestId('rename-folder-save').isDisabled()).resolves.toBe(true);
    await expect(a.page.getByRole('alert').filter({ hasText: 'There is already a folder named “Archive”.' }).count()).resolves.toBe(1);
    await a.page.getByTestId('rename-folder-name').press('Escape');

    // A deletes it: the notes stay, unfiled, on both devices, and B goes back to all notes.
    await a.page.getByTestId('delete-folder').click();
    await a.page.getByTestId('delete-folder-confirm').click();
    await allSent(a.page);
    for (const page of [a.page, b.page]) {
      await expect.poll(() => folderChip(page, 'Books').count(), POLL).toBe(0);
      await expect.poll(() => page.getByTestId('folder-all').getAttribute('aria-pressed'), POLL).toBe('true');
      for (const title of ['Book list', 'Loose note']) expect(await noteCard(page, title).getByTestId('note-folder').inputValue()).toBe('');
    }
    await b.page.getByTestId('folder-unfiled').click();
    await expect.poll(async () => (await shownTitles(b.page)).filter((t) => t === 'Book list' || t === 'Loose note'), POLL).toEqual([
      'Book list',
      'Loose note',
    ]);
    const { folders } = await stored<{ folders: { name: string }[] }>('{ folders { name } }');
    expect(folders.map((f) => f.name)).not.toContain('Books');
    for (const device of [a, b]) expect(device.problems).toEqual([]);
  });

  it('adds up likes made offline on both devices, and keeps a tag one removed while the other added it', async () => {
    const a = await devices.open();
    const b = await devices.open();
    await createNote(a.page, { title: 'Ideas', body: 'for the weekend', tags: 'urgent, later' });
    await allSent(a.page);
    await expect.poll(() => tagsOf(b.page, 'Ideas'), POLL).toEqual(['later', 'urgent']);

    await a.context.setOffline(true);
    await b.context.setOffline(true);
    const onA = noteCard(a.page, 'Ideas');
    const onB = noteCard(b.page, 'Ideas');
    for (let i = 0; i < 2; i++) await onA.getByTestId('note-like').click();
    for (let i = 0; i < 3; i++) await onB.getByTestId('note-like').click();
    await expect.poll(() => likesOf(a.page, 'Ideas'), POLL).toBe(2);
    await expect.poll(() => likesOf(b.page, 'Ideas'), POLL).toBe(3);

    // A drops "urgent" and adds "home"; B drops "urgent" too, changes its mind and adds it back, and adds "work".
    await removeTag(a.page, 'Ideas', 'urgent');
    await addTag(a.page, 'Ideas', 'home');
    await removeTag(b.page, 'Ideas', 'urgent');
    await addTag(b.page, 'Ideas', 'urgent, work');
    await expect.poll(() => tagsOf(a.page, 'Ideas'), POLL).toEqual(['home', 'later']);
    await expect.poll(() => tagsOf(b.page, 'Ideas'), POLL).toEqual(['later', 'urgent', 'work']);

    // B's add reaches the gateway before A's remove, which had not seen it: the add wins.
    await b.context.setOffline(false);
    await allSent(b.page);
    await a.context.setOffline(false);
    await allSent(a.page);

    for (const page of [a.page, b.page]) {
      await expect.poll(() => likesOf(page, 'Ideas'), POLL).toBe(5);
      await expect.poll(() => tagsOf(page, 'Ideas'), POLL).toEqual(['home', 'later', 'urgent', 'work']);
    }
    const { notes } = await stored<{ notes: { title: string; likes: number; tags: string[] }[] }>('{ notes { title likes tags } }');
    expect(notes.filter((n) => n.title === 'Ideas')).toEqual([{ title: 'Ideas', likes: 5, tags: ['home', 'later', 'urgent', 'work'] }]);
    await a.page.getByTestId('help').locator('summary').click();
    await a.page.screenshot({ path: screenshotPath('notes-app-tags-likes.png'), fullPage: true });
    for (const device of [a, b]) expect(device.problems).toEqual([]);
  });
});

async function createFolder(page: Page, name: string) {
  await page.getByTestId('new-folder').click();
  await page.getByTestId('new-folder-name').fill(name);
  await page.getByTestId('create-folder').click();
  await expect.poll(() => page.getByTestId('folder-title').innerText({ timeout: 1_000 }).catch(() => null), POLL).toMatch(new RegExp(`^${name}`));
}

function selectedFolderId(page: Page): Promise<string | null> {
  return page.getByTestId('folder-head').getAttribute('data-folder-id', { timeout: 1_000 }).catch(() => null);
}

/** The folders of the folder bar (not "All notes" and "Unfiled"), with their note counts. */
function folderChips(page: Page): Promise<{ name: string; count: string }[]> {
  return page.$$eval('[data-testid="folder"]', (chips) =>
    chips.map((chip) => ({
      name: chip.querySelector('[data-testid="folder-name"]')?.textContent ?? '',
      count: chip.querySelector('[data-testid="folder-count"]')?.textContent ?? '',
    })),
  );
}

const folderChip = (page: Page, name: string) =>
  page.getByTestId('folder').filter({ has: page.getByTestId('folder-name').getByText(name, { exact: true }) });

function chipCount(page: Page, name: string): Promise<string | null> {
  return folderChip(page, name).getByTestId('folder-count').innerText({ timeout: 1_000 }).catch(() => null);
}

async function shownTitles(page: Page): Promise<string[]> {
  return (await page.getByTestId('note-title').allInnerTexts()).sort();
}

function tagsOf(page: Page, title: string): Promise<string[]> {
  return noteCard(page, title)
    .getByTestId('tag')
    .evaluateAll((chips) => chips.map((chip) => chip.getAttribute('data-tag') ?? ''));
}

async function likesOf(page: Page, title: string): Promise<number> {
  return Number(await noteCard(page, title).getByTestId('note-likes').getAttribute('data-count', { timeout: 1_000 }));
}

async function removeTag(page: Page, title: string, tag: string) {
  await noteCard(page, title).locator(`[data-testid="tag"][data-tag="${tag}"]`).getByTestId('tag-remove').click();
}

async function addTag(page: Page, title: string, tags: string) {
  const card = noteCard(page, title);
  await card.getByTestId('tag-new').click();
  await card.getByTestId('tag-input').fill(tags);
  await card.getByTestId('tag-add').click();
}
