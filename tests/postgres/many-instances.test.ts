/**
 * Many gateway processes on one PostgreSQL database (real processes, real server).
 *
 * Writers push to instance A; subscribers (SSE and WebSocket, several
 * workspaces) are connected to instance B only, so everything they receive live
 * reached B through PostgreSQL: the NOTIFY sent by A's push transactions, and
 * B's catch-up after its LISTEN connection comes back. Every subscriber must end
 * up with exactly the workspace's log: every acknowledged change, in log order,
 * none twice.
 */
import { signToken } from '../../server/auth.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backendsOf,
  createSharedDatabase,
  endpointOf,
  listenBackendOf,
  runWriter,
  until,
  type SharedDatabase,
  type Writer,
} from '../helpers/instances.ts';
import { killAllServerProcesses, pullAllFrom, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { subscribeChanges, TRANSPORTS, type ChangesSubscription } from '../helpers/subscribe.ts';

const JWT_SECRET = 'instances-test-secret-0123456789-abcdefghijk';
const WRITERS = 8;
const WORKSPACES = 3;

let db: SharedDatabase;
let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  db = await createSharedDatabase('sgw_instances');
  const env = { DATABASE_URL: db.url, JWT_SECRET, DATABASE_POOL_SIZE: '4' };
  // One after the other: both run the migrations at start.
  a = await startServerProcess(env);
  b = await startServerProcess(env);
});

afterAll(async () => {
  await killAllServerProcesses();
  await db?.admin.unsafe(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`).catch(() => {});
  await db?.drop();
});

interface Workspace {
  id: string;
  token: string;
  subscriptions: ChangesSubscription[];
}

/** Fresh workspaces, each with an SSE and a WebSocket subscriber on B, all live (first event received). */
async function subscribeOnB(label: string): Promise<Workspace[]> {
  const workspaces: Workspace[] = [];
  for (let i = 0; i < WORKSPACES; i++) {
    const id = `ws-${label}-${i}-${Date.now()}`;
    const token = await signToken(JWT_SECRET, { workspaceId: id, userId: 'user' });
    const subscriptions = TRANSPORTS.map((transport) => subscribeChanges(endpointOf(b), transport, { token, since: null }));
    workspaces.push({ id, token, subscriptions });
  }
  const all = workspaces.flatMap((w) => w.subscriptions);
  await until('every subscription on B to be live', () => (all.every((s) => s.batches.length > 0) ? true : undefined));
  return workspaces;
}

function writersFor(workspaces: Workspace[]): { writer: Writer; token: string; clientId: string }[] {
  return Array.from({ length: WRITERS }, (_, i) => {
    const workspace = workspaces[i % workspaces.length]!;
    return { writer: { workspace: workspace.id, acked: [] }, token: workspace.token, clientId: `writer-${i}` };
  });
}

const mutationIds = (changes: { mutationId: string }[]) => changes.map((c) => c.mutationId);

function failureOf(sub: ChangesSubscription) {
  if (sub.errors.length || sub.failures.length || sub.completed) {
    return `${sub.transport} subscription ended: ${JSON.stringify({ errors: sub.errors, failures: sub.failures.map(String), completed: sub.completed })}`;
  }
  return null;
}

/**
 * Waits until every subscriber has received as many changes as its workspace's
 * log holds (pulled from B), then checks each received exactly that log, in order.
 */
async function expectEverySubscriberHasTheLog(workspaces: Workspace[], writers: Writer[]) {
  for (const workspace of workspaces) {
    const log = mutationIds((await pullAllFrom(b, workspace.token)).changes);
    const acked = writers.filter((w) => w.workspace === workspace.id).flatMap((w) => w.acked);
    expect(acked.length).toBeGreaterThan(0);
    // Nothing acknowledged is missing from the log, and the log repeats nothing.
    expect(log).toEqual(expect.arrayContaining(acked));
    expect(new Set(log).size).toBe(log.length);
    for (const sub of workspace.subscriptions) {
      await until(
        () => `${sub.transport} on ${workspace.id} to receive ${log.length} changes (has ${sub.changes().length})`,
        () => {
          const failure = failureOf(sub);
          if (failure) throw new Error(failure);
          return sub.changes().length >= log.length ? true : undefined;
        },
      );
      expect(mutationIds(sub.changes()), `${sub.transport} on ${workspace.id}`).toEqual(log);
    }
  }
}

async function disposeAll(workspaces: Workspace[]) {
  await Promise.all(workspaces.flatMap((w) => w.subscriptions.map((s) => s.dispose())));
}

describe('many gateway instances on one PostgreSQL database', () => {
  it('subscribers on B receive every change pushed to A by 8 concurrent writers, in log order, none twice', { timeout: 180_000 }, async () => {
    const workspaces = await subscribeOnB('burst');
    const writers = writersFor(workspaces);
    await Promise.all(writers.map((w) => runWriter(() => a, w.writer, w.token, { pushes: 12, clientId: w.clientId })));
    expect(writers.map((w) => w.writer.failure)).toEqual(writers.map(() => undefined));
    await expectEverySubscriberHasTheLog(workspaces, writers.map((w) => w.writer));
    await disposeAll(workspaces);
  });

  it("B's subscribers catch up on what was committed while B's LISTEN connection was down", { timeout: 180_000 }, async () => {
    const workspaces = await subscribeOnB('listen');
    const writers = writersFor(workspaces);
    const listenPid = await until("B's LISTEN connection", () => listenBackendOf(db, b.pid));

    // The first half of the burst, while everything is up.
    await Promise.all(writers.map((w) => runWriter(() => a, w.writer, w.token, { pushes: 4, clientId: `${w.clientId}-1` })));
    // Delivered before the cut, so a wake-up still in flight cannot count for the second half.
    await expectEverySubscriberHasTheLog(workspaces, writers.map((w) => w.writer));

    // Cut B's LISTEN connection, and keep it from coming back for a while: every
    // NOTIFY of the second half is lost to B. The writers use A's pool, already open.
    await db.admin.unsafe(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS false`);
    try {
      await db.sql`select pg_terminate_backend(${listenPid})`;
      await until('the LISTEN backend to go', async () => ((await listenBackendOf(db, b.pid)) === undefined ? true : undefined));
      const before = workspaces.map((w) => w.subscriptions.map((s) => s.changes().length));
      await Promise.all(writers.map((w) => runWriter(() => a, w.writer, w.token, { pushes: 4, clientId: `${w.clientId}-2` })));
      expect(writers.map((w) => w.writer.failure)).toEqual(writers.map(() => undefined));
      // B had no signal for the second half (it has nothing to read it with).
      expect(workspaces.map((w) => w.subscriptions.map((s) => s.changes().length))).toEqual(before);
    } finally {
      // Whatever happened above, the next test needs B able to connect again.
      await db.admin.unsafe(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`);
    }
    const relistened = await until('B to LISTEN again', () => listenBackendOf(db, b.pid), 60_000);
    expect(relistened).not.toBe(listenPid);
    // No push after the reconnect: only the catch-up on reconnect can deliver the second half.
    await expectEverySubscriberHasTheLog(workspaces, writers.map((w) => w.writer));
    await disposeAll(workspaces);
  });

  it('A killed with SIGKILL mid-burst: every push A acknowledged reaches B, nothing twice, and a full pull agrees', { timeout: 180_000 }, async () => {
    const workspaces = await subscribeOnB('crash');
    const writers = writersFor(workspaces);
    const acked = () => writers.reduce((n, w) => n + w.writer.acked.length, 0);
    const running = Promise.all(writers.map((w) => runWriter(() => a, w.writer, w.token, { pushes: 1_000, clientId: w.clientId })));

    await until('the burst to get going', () => (acked() >= 40 ? true : undefined), 60_000);
    await a.kill();
    await running;
    // Every writer was cut off in the middle (its last push got no answer).
    expect(writers.every((w) => w.writer.failure !== undefined)).toBe(true);
    // The killed process's backends go (rolling back what never committed); after that the log is final.
    await until("A's backends to go", async () => ((await backendsOf(db, a.pid)).length === 0 ? true : undefined));

    await expectEverySubscriberHasTheLog(workspaces, writers.map((w) => w.writer));
    console.log(`SIGKILL mid-burst: ${acked()} acknowledged changes, all delivered on B`);
    await disposeAll(workspaces);
  });
});
