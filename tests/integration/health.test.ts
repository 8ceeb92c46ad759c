import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsFolder } from '../../db/client.ts';
import { createHealthHandler, drizzleProbe, readMigrationJournal } from '../../server/health.ts';
import { openBareDatabase, type BareDatabase } from '../helpers/bare-database.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

let gw: TestGateway;
let draining = false;
let origin: string;
beforeAll(async () => {
  gw = await startTestGateway({ gateway: { isDraining: () => draining } });
  origin = new URL(gw.url).origin;
});
afterAll(async () => gw?.close());

async function getJson(url: string) {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

describe('/health and /ready', () => {
  it('/health answers 200 while the process is up', async () => {
    expect(await getJson(`${origin}/health`)).toEqual({
      status: 200,
      type: 'application/json; charset=utf-8',
      body: { status: 'ok' },
    });
  });

  it('/ready answers 200 on a migrated database', async () => {
    expect(await getJson(`${origin}/ready`)).toMatchObject({
      status: 200,
      body: { status: 'ready', failed: [], checks: { database: 'ok', migrations: 'ok', shutdown: 'ok' } },
    });
  });

  it('/ready answers 503 while draining for shutdown', async () => {
    draining = true;
    try {
      expect(await getJson(`${origin}/ready`)).toMatchObject({ status: 503, body: { failed: ['shutdown'] } });
    } finally {
      draining = false;
    }
    expect((await getJson(`${origin}/ready`)).status).toBe(200);
  });

  it('/ready answers 503 naming a committed migration the database lacks', async () => {
    const journal = readMigrationJournal(migrationsFolder);
    const last = journal[journal.length - 1]!;
    await gw.database.db.execute(sql`delete from drizzle.__drizzle_migrations where created_at = ${last.when}`);
    try {
      expect(await getJson(`${origin}/ready`)).toMatchObject({
        status: 503,
        body: { status: 'not ready', failed: ['migrations'], checks: { database: 'ok', migrations: `not applied: ${last.tag}` } },
      });
    } finally {
      await gw.database.db.execute(
        sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('restored-by-test', ${last.when})`,
      );
    }
    expect((await getJson(`${origin}/ready`)).status).toBe(200);
  });

  it('refuses other methods', async () => {
    expect((await fetch(`${origin}/ready`, { method: 'POST' })).status).toBe(405);
  });
});

describe('/ready on a database that was never migrated', () => {
  let bare: BareDatabase;
  let server: Server;
  beforeAll(async () => {
    bare = await openBareDatabase();
    const serve = createHealthHandler({ probe: drizzleProbe(bare.db), migrations: readMigrationJournal(migrationsFolder) });
    server = createServer((req, res) => void serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await bare?.close();
  });

  it('answers 503 listing every migration', async () => {
    const { port } = server.address() as AddressInfo;
    const tags = readMigrationJournal(migrationsFolder).map((m) => m.tag);
    expect(await getJson(`http://127.0.0.1:${port}/ready`)).toMatchObject({
      status: 503,
      body: { failed: ['migrations'], checks: { database: 'ok', migrations: `not applied: ${tags.join(', ')}` } },
    });
  });
});
