/**
 * No gaps under concurrent commits (real PostgreSQL only: PGlite has one connection,
 * so its transactions never overlap).
 *
 * A push locks its workspace's counter row first, so log positions are handed out
 * in commit order. Then a reader that has pulled up to position N can never later
 * find a smaller position committed, and `seq > N order by seq` misses nothing.
 *
 * The first suite hammers one workspace with concurrent writers while readers pull
 * small pages the whole time, and checks every reader got exactly every
 * acknowledged change, once, in log order. The last suite is the control: with a
 * plain bigserial, the same reading rule does miss a change.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { newNote, pull, pullAll, push, updateNote, type ChangeInput } from '../helpers/sync.ts';

let gw: TestGateway;
beforeAll(async () => (gw = await startTestGateway({ poolSize: 16 })));
afterAll(async () => gw?.close());

// ---- A small seeded PRNG, so a failing run can be replayed with its seed ----

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
type Rng = () => number;
const pick = <T>(rng: Rng, items: T[]): T => items[Math.floor(rng() * items.length)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- Writers ----

interface Ack {
  mutationId: string;
  entityId: string;
  version: number;
  status: string;
}

/**
 * `pushes` pushes of 1 to 5 changes each: INSERTs of new notes and UPDATEs of
 * notes this writer created, mostly from the current version, some from the
 * previous one. Only this writer touches its notes, so it always knows their
 * versions and every change must be accepted (APPLIED: a client's own earlier
 * changes are not concurrent with its later ones).
 */
async function runWriter(token: string, clientId: string, pushes: number, rng: Rng): Promise<Ack[]> {
  const versions = new Map<string, number>(); // entityId -> version on the server
  const acks: Ack[] = [];
  for (let p = 0; p < pushes; p++) {
    const local = new Map(versions);
    const changes: ChangeInput[] = [];
    const expected: number[] = []; // the version each change should produce
    const size = 1 + Math.floor(rng() * 5);
    for (let i = 0; i < size; i++) {
      if (local.size === 0 || rng() < 0.4) {
        const note = newNote({ title: `${clientId} #${p}.${i}`, body: 'new' });
        changes.push(note);
        local.set(note.entityId, 1);
        expected.push(1);
      } else {
        const id = pick(rng, [...local.keys()]);
        const version = local.get(id)!;
        const base = version >= 2 && rng() < 0.25 ? version - 1 : version;
        const field = pick(rng, ['title', 'body', 'pinned'] as const);
        const value = field === 'pinned' ? rng() < 0.5 : `${clientId} ${field} #${p}.${i}`;
        changes.push(updateNote(id, { [field]: value }, base));
        local.set(id, version + 1);
        expected.push(version + 1);
      }
    }
    const results = await push(gw, token, changes, clientId);
    expect(results).toHaveLength(changes.length);
    for (const [i, result] of results.entries()) {
      expect(['APPLIED', 'MERGED'], JSON.stringify(result)).toContain(result.status);
      const entityId = changes[i]!.entityId;
      expect(result.mutationId).toBe(changes[i]!.mutationId);
      expect(result.record.version).toBe(expected[i]);
      versions.set(entityId, result.record.version);
      acks.push({ mutationId: result.mutationId, entityId, version: result.record.version, status: result.status });
    }
    // A little jitter so pushes interleave differently with the readers on every run.
    if (rng() < 0.3) await sleep(Math.floor(rng() * 3));
  }
  return acks;
}

// ---- Readers ----

interface ReaderLog {
  changes: any[];
  pages: number;
  /** Non-empty pages pulled while writers were still running: proof the reads overlapped the writes. */
  livePages: number;
}

/** Pulls small pages from its own token until the writers are done, then drains. */
async function runReader(token: string, writersDone: () => boolean, limit: number, rng: Rng): Promise<ReaderLog> {
  const log: ReaderLog = { changes: [], pages: 0, livePages: 0 };
  let since: string | null = null;
  for (;;) {
    // Read the flag before pulling: a pull started after every push was acknowledged
    // must see all of them, so its "no more" is final.
    const done = writersDone();
    const page = await pull(gw, token, since, limit);
    log.changes.push(...page.changes);
    log.pages += 1;
    if (!done && page.changes.length > 0) log.livePages += 1;
    since = page.syncToken;
    if (done && !page.hasMore) return log;
    if (!page.hasMore) await sleep(Math.floor(rng() * 3));
  }
}

// ---- Checks ----

function expectExactlyOnceInLogOrder(reader: ReaderLog, finalIds: string[], label: string) {
  const ids = reader.changes.map((c) => c.mutationId as string);
  const seen = new Set<string>();
  const dupes = ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
  expect(dupes, `${label}: duplicates`).toEqual([]);
  const finalSet = new Set(finalIds);
  expect(ids.filter((id) => !finalSet.has(id)), `${label}: changes not in the log`).toEqual([]);
  expect(finalIds.filter((id) => !seen.has(id)), `${label}: missed changes`).toEqual([]);
  expect(ids, `${label}: order differs from the log`).toEqual(finalIds);
}

function expectVersionsRise(changes: any[], label: string) {
  const last = new Map<string, number>();
  for (const change of changes) {
    const version = change.record.version as number;
    const previous = last.get(change.entityId) ?? 0;
    // Strictly increasing, and with no version skipped: every accepted change is in the log.
    expect(version, `${label}: ${change.entityId} went from version ${previous} to ${version}`).toBe(previous + 1);
    last.set(change.entityId, version);
  }
}

function expectLogMatchesAcks(finalChanges: any[], acks: Ack[], label: string) {
  const byMutation = new Map(finalChanges.map((c) => [c.mutationId as string, c]));
  expect(byMutation.size, `${label}: duplicate mutation ids in the log`).toBe(finalChanges.length);
  expect(finalChanges.length, `${label}: log size vs acknowledged changes`).toBe(acks.length);
  for (const ack of acks) {
    const entry = byMutation.get(ack.mutationId);
    expect(entry, `${label}: acknowledged ${ack.mutationId} missing from the log`).toBeDefined();
    expect(entry.entityId).toBe(ack.entityId);
    expect(entry.record.version).toBe(ack.version);
  }
}

async function writeAndRead(options: { workspaces: string[]; writersPer: number; readersPer: number; pushes: number; limit: number; seed: number }) {
  const rng = mulberry32(options.seed);
  const tokens = new Map<string, string>();
  for (const ws of options.workspaces) tokens.set(ws, await gw.token(ws));

  let writersDone = false;
  const writers = options.workspaces.flatMap((ws) =>
    Array.from({ length: options.writersPer }, (_, w) =>
      // Same client ids in every workspace: idempotency is scoped per workspace.
      runWriter(tokens.get(ws)!, `writer-${w}`, options.pushes, mulberry32(Math.floor(rng() * 2 ** 32))).then((acks) => ({ ws, acks })),
    ),
  );
  const writing = Promise.all(writers).finally(() => (writersDone = true));
  const readers = options.workspaces.flatMap((ws) =>
    Array.from({ length: options.readersPer }, () =>
      runReader(tokens.get(ws)!, () => writersDone, options.limit, mulberry32(Math.floor(rng() * 2 ** 32))).then((log) => ({ ws, log })),
    ),
  );
  // Wait for both sides even if one fails, so no reader outlives the test.
  const [written, read] = await Promise.allSettled([writing, Promise.all(readers)]);
  if (written.status === 'rejected') throw written.reason;
  if (read.status === 'rejected') throw read.reason;
  return { tokens, written: written.value, read: read.value };
}

describe('no gaps under concurrent pushes (PostgreSQL)', () => {
  it('every reader gets every acknowledged change exactly once, in log order', async () => {
    const ws = newWorkspace();
    const seed = Date.now() >>> 0;
    const { tokens, written, read } = await writeAndRead({ workspaces: [ws], writersPer: 8, readersPer: 3, pushes: 40, limit: 7, seed });
    const label = `seed ${seed}`;

    const acks = written.flatMap((w) => w.acks);
    expect(acks.length).toBeGreaterThanOrEqual(8 * 40);
    expect(acks.filter((a) => a.status === 'APPLIED').length, 'every change of a writer to its own notes applies').toBe(acks.length);

    const final = await pullAll(gw, tokens.get(ws)!, null, 500);
    expectLogMatchesAcks(final.changes, acks, label);
    expectVersionsRise(final.changes, `${label} final`);
    const finalIds = final.changes.map((c) => c.mutationId as string);

    for (const [r, { log }] of read.entries()) {
      expectExactlyOnceInLogOrder(log, finalIds, `${label} reader ${r}`);
      expectVersionsRise(log.changes, `${label} reader ${r}`);
      // The test only means something if reads overlapped writes.
      expect(log.livePages, `${label} reader ${r} pulled no changes while writers ran`).toBeGreaterThan(5);
    }
  });

  it('with two workspaces written at once, each reader sees only its own, exactly once', async () => {
    const wsA = newWorkspace();
    const wsB = newWorkspace();
    const seed = Date.now() >>> 0;
    const { tokens, written, read } = await writeAndRead({
      workspaces: [wsA, wsB],
      writersPer: 4,
      readersPer: 2,
      pushes: 30,
      limit: 5,
      seed,
    });

    const finals = new Map<string, string[]>();
    for (const ws of [wsA, wsB]) {
      const label = `seed ${seed} ${ws === wsA ? 'A' : 'B'}`;
      const acks = written.filter((w) => w.ws === ws).flatMap((w) => w.acks);
      const final = await pullAll(gw, tokens.get(ws)!, null, 500);
      expectLogMatchesAcks(final.changes, acks, label);
      finals.set(ws, final.changes.map((c) => c.mutationId as string));
    }
    const idsA = new Set(finals.get(wsA));
    expect(finals.get(wsB)!.filter((id) => idsA.has(id)), 'the workspaces share changes').toEqual([]);

    for (const [r, { ws, log }] of read.entries()) {
      const label = `seed ${seed} reader ${r} of ${ws === wsA ? 'A' : 'B'}`;
      const other = new Set(finals.get(ws === wsA ? wsB : wsA));
      expect(log.changes.filter((c) => other.has(c.mutationId)), `${label}: saw the other workspace`).toEqual([]);
      expectExactlyOnceInLogOrder(log, finals.get(ws)!, label);
      expectVersionsRise(log.changes, label);
      expect(log.livePages, `${label} pulled no changes while writers ran`).toBeGreaterThan(0);
    }
  });
});

describe('control: what the counter row prevents', () => {
  let sql: postgres.Sql;
  beforeAll(() => {
    sql = postgres(gw.database.url!, { max: 4, onnotice: () => {} });
  });
  afterAll(async () => sql?.end({ timeout: 5 }));

  it('a plain bigserial hands out positions in start order, so "seq > N" misses a late commit', async () => {
    await sql`create table gap_demo (seq bigserial primary key, label text not null)`;
    const first = await sql.reserve();
    const second = await sql.reserve();
    try {
      await first`begin`;
      await second`begin`;
      const [low] = await first`insert into gap_demo (label) values ('first') returning seq`;
      const [high] = await second`insert into gap_demo (label) values ('second') returning seq`;
      expect(Number(low!.seq)).toBeLessThan(Number(high!.seq));

      await second`commit`; // the higher position commits first...
      const early = await sql`select seq from gap_demo where seq > 0 order by seq`;
      expect(early.map((r) => Number(r.seq))).toEqual([Number(high!.seq)]);
      const token = Number(early.at(-1)!.seq); // ...so a reader's token moves past the lower one

      await first`commit`; // the lower position becomes visible only now
      const next = await sql`select seq from gap_demo where seq > ${token} order by seq`;
      expect(next, 'the reader never sees the first change').toEqual([]);
      const all = await sql`select seq from gap_demo order by seq`;
      expect(all.map((r) => Number(r.seq))).toEqual([Number(low!.seq), Number(high!.seq)]);
    } finally {
      first.release();
      second.release();
      await sql`drop table if exists gap_demo`;
    }
  });

  it('the workspace row lock (as push.ts takes it) makes the second push wait and number after the first commit', async () => {
    const ws = newWorkspace();
    const lock = (tx: postgres.ReservedSql) => tx`
      insert into sync_workspaces (id, last_seq) values (${ws}, 0)
      on conflict (id) do update set last_seq = sync_workspaces.last_seq
      returning last_seq`;
    const first = await sql.reserve();
    const second = await sql.reserve();
    try {
      await first`begin`;
      await second`begin`;
      const [a] = await lock(first);
      expect(Number(a!.last_seq)).toBe(0);
      const [{ pid }] = (await second`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];

      let settled = false;
      const waiting = lock(second).then((rows) => ((settled = true), rows));
      // Deterministic: wait until PostgreSQL reports the second session blocked on a lock.
      for (let i = 0; ; i++) {
        const [row] = await sql`select wait_event_type from pg_stat_activity where pid = ${pid}`;
        if (row?.wait_event_type === 'Lock') break;
        if (i > 400) throw new Error('the second session never blocked on the workspace row');
        await sleep(25);
      }
      expect(settled).toBe(false);

      await first`update sync_workspaces set last_seq = 3 where id = ${ws}`;
      await first`commit`;
      const [b] = await waiting;
      // The second push starts numbering after everything the first one committed.
      expect(Number(b!.last_seq)).toBe(3);
      await second`commit`;
    } finally {
      first.release();
      second.release();
    }
  });
});
