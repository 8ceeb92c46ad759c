/** The storages behind the client: memory (tests) and an atomic JSON file (Node). */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStorage, mergeEntries, type PersistedSyncState } from '../../client/lib/storage.ts';
import { FileStorage } from '../../client/lib/storage-file.ts';

const root = mkdtempSync(join(tmpdir(), 'client-storage-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(root, `case-${++n}`, 'state.json');

const state: PersistedSyncState = {
  clientId: 'c1',
  syncToken: 's1.t',
  lastSyncedAt: null,
  pending: [{ mutationId: 'm1', entityType: 'Note', entityId: 'id-1', op: 'INSERT', data: { title: 't' }, queuedAt: '2020-01-01T00:00:00.000Z' }],
  failed: [],
};

describe('mergeEntries', () => {
  it('adds and replaces entries, and deletes those set to undefined', () => {
    const entries: Record<string, string | undefined> = { a: '1', b: '2' };
    mergeEntries(entries, { b: '3', c: '4', a: undefined });
    expect(entries).toEqual({ b: '3', c: '4' });
    expect('a' in entries).toBe(false);
  });
});

describe('MemoryStorage', () => {
  it('keeps copies, so later changes to the caller’s objects are not saved by accident', async () => {
    const storage = new MemoryStorage();
    const mine = structuredClone(state);
    await storage.writeSyncState(mine);
    mine.pending.length = 0;
    expect((await storage.readSyncState())!.pending).toHaveLength(1);
    const read = (await storage.readSyncState())!;
    read.clientId = 'changed';
    expect((await storage.readSyncState())!.clientId).toBe('c1');
  });
});

describe('FileStorage', () => {
  it('starts empty when there is no file, creating the directory', async () => {
    const path = freshPath();
    const storage = new FileStorage(path);
    expect(existsSync(join(path, '..'))).toBe(true);
    expect(await storage.readData()).toEqual({});
    expect(await storage.readMetadata()).toEqual([]);
    expect(await storage.readSyncState()).toBeNull();
  });

  it('round-trips the cache entries, the metadata and the sync state through the file', async () => {
    const path = freshPath();
    const storage = new FileStorage(path);
    await storage.writeData({ 'Note:1.title': '"a"', 'Note:1.body': '"b"' });
    await storage.writeData({ 'Note:1.body': undefined, 'Query.notes': ':["Note:1"]' });
    storage.writeMetadata([{ query: 'mutation { x }', variables: {} } as never]);
    await storage.writeSyncState(state);
    await storage.flush();

    const reopened = new FileStorage(path);
    expect(await reopened.readData()).toEqual({ 'Note:1.title': '"a"', 'Query.notes': ':["Note:1"]' });
    expect(await reopened.readMetadata()).toEqual([{ query: 'mutation { x }', variables: {} }]);
    expect(await reopened.readSyncState()).toEqual(state);
  });

  it('resolves writeSyncState only once the state is on disk', async () => {
    const path = freshPath();
    const storage = new FileStorage(path);
    await storage.writeSyncState(state);
    expect(JSON.parse(readFileSync(path, 'utf8')).state).toEqual(state);
  });

  it('leaves no temporary file behind', async () => {
    const path = freshPath();
    const storage = new FileStorage(path);
    for (let i = 0; i < 20; i++) void storage.writeData({ [`k${i}`]: String(i) });
    await storage.writeSyncState(state);
    await storage.flush();
    expect(readdirSync(join(path, '..'))).toEqual(['state.json']);
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')).entries)).toHaveLength(20);
  });

  it('coalesces writes made while one is running, and the last one wins', async () => {
    const path = freshPath();
    const storage = new FileStorage(path);
    const writes = Array.from({ length: 10 }, (_, i) => storage.writeSyncState({ ...state, syncToken: `t${i}` }));
    await Promise.all(writes);
    expect(JSON.parse(readFileSync(path, 'utf8')).state.syncToken).toBe('t9');
  });

  it('keeps saving after one write failed (a transient disk error does not end persistence)', async () => {
    const path = freshPath();
    const storage = new FileStorage(path);
    await storage.writeSyncState(state);
    rmSync(join(path, '..'), { recursive: true, force: true });
    await expect(storage.writeSyncState({ ...state, syncToken: 'lost' })).rejects.toThrow();

    mkdirSync(join(path, '..'), { recursive: true });
    await storage.writeSyncState({ ...state, syncToken: 'after the error' });
    expect(JSON.parse(readFileSync(path, 'utf8')).state.syncToken).toBe('after the error');
  });

  it('lets two instances on one path (a client and its restarted successor in one process) both write without failing', async () => {
    const path = freshPath();
    const first = new FileStorage(path);
    const second = new FileStorage(path);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      writes.push(first.writeSyncState({ ...state, syncToken: `first-${i}` }));
      writes.push(second.writeSyncState({ ...state, syncToken: `second-${i}` }));
    }
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))).toEqual([]);
    expect(JSON.parse(readFileSync(path, 'utf8')).state.syncToken).toMatch(/^(first|second)-19$/);
  });

  it('refuses a corrupt file rather than starting over silently', () => {
    const path = freshPath();
    mkdirSync(join(path, '..'), { recursive: true });
    rmSync(path, { force: true });
    writeFileSync(path, '{ not json');
    expect(() => new FileStorage(path)).toThrow();
  });
});
