/**
 * The embedded database survives a restart: the real entry point, stopped with
 * SIGTERM and started again on the same DATA_DIR, still has every change, still
 * accepts the dev token it printed before (the dev secret lives in the database),
 * and still honours sync tokens it issued before (so does the token key).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAllServerProcesses, pullAllFrom, pullFrom, pushTo, startServerProcess } from '../helpers/server-process.ts';
import { deleteNote, newNote, updateNote } from '../helpers/sync.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'sgw-restart-'));

afterAll(async () => {
  await killAllServerProcesses();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('restart on the same DATA_DIR (PGlite on disk)', () => {
  it('keeps the dev token, the change log and the sync tokens', { timeout: 180_000 }, async () => {
    const env = { DATA_DIR: dataDir };

    // ---- First life ----
    const first = await startServerProcess(env);
    const token = first.devToken;
    expect(token, first.output()).toBeTruthy();

    const a = newNote({ title: 'a', body: 'first' });
    const b = newNote({ title: 'b' });
    const c = newNote({ title: 'c', pinned: true });
    const inserted = await pushTo(first, token!, [a, b, c]);
    expect(inserted.map((r) => r.status)).toEqual(['APPLIED', 'APPLIED', 'APPLIED']);
    const updated = await pushTo(first, token!, [updateNote(a.entityId, { title: 'a2' }, 1), deleteNote(b.entityId, 1)]);
    expect(updated.map((r) => r.status)).toEqual(['APPLIED', 'APPLIED']);

    const before = await pullAllFrom(first, token!);
    expect(before.changes.map((ch) => ch.op)).toEqual(['INSERT', 'INSERT', 'INSERT', 'UPDATE', 'DELETE']);
    // A token from the middle of the log (after the 2 first changes) and one from its end.
    const middle = await pullFrom(first, token!, null, 2);
    expect(middle.hasMore).toBe(true);

    const code = await first.stop();
    expect(code, first.output()).toBe(0);
    expect(first.output()).toContain('SIGTERM: shutting down');

    // ---- Second life, same data directory ----
    const second = await startServerProcess(env);
    expect(second.port).toBeGreaterThan(0);

    // The token printed by the first process is still accepted.
    const after = await pullAllFrom(second, token!);
    expect(after.changes).toEqual(before.changes);
    // Same log position: the end token is even byte-identical (same key, same position).
    expect(after.syncToken).toBe(before.syncToken);

    // A pre-restart token at the end of the log: nothing new yet.
    const idle = await pullFrom(second, token!, before.syncToken);
    expect(idle.changes).toEqual([]);
    expect(idle.hasMore).toBe(false);

    // New writes after the restart continue the log; old tokens return only newer changes.
    const d = newNote({ title: 'd' });
    const late = await pushTo(second, token!, [d, updateNote(c.entityId, { pinned: false }, 1)]);
    expect(late.map((r) => r.status)).toEqual(['APPLIED', 'APPLIED']);

    const sinceEnd = await pullAllFrom(second, token!, before.syncToken);
    expect(sinceEnd.changes.map((ch) => ch.mutationId)).toEqual([d.mutationId, late[1].mutationId]);

    const sinceMiddle = await pullAllFrom(second, token!, middle.syncToken);
    expect(sinceMiddle.changes.map((ch) => ch.mutationId)).toEqual([
      ...before.changes.slice(2).map((ch) => ch.mutationId),
      d.mutationId,
      late[1].mutationId,
    ]);

    // Idempotency survives too: replaying a pre-restart mutation id is a DUPLICATE.
    const replay = await pushTo(second, token!, [a]);
    expect(replay[0].status).toBe('DUPLICATE');
    expect(replay[0].record).toMatchObject({ id: a.entityId, version: 2, title: 'a2' });

    expect(await second.stop()).toBe(0);
  });
});
