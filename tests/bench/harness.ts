/**
 * What every measurement shares: the bench database and the gateway process
 * under test, reading a process's CPU time and memory from /proc, the client's
 * own GraphQL documents, a byte-counting proxy, and the figures table.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { print } from 'graphql';
import postgres from 'postgres';
import { ChangesDocument, PullChangesDocument, PushChangesDocument } from '../../client/generated/graphql.ts';
import { signToken } from '../../server/auth.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';

export const BENCH_JWT_SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

/** The operations exactly as the sync client sends them. */
export const PUSH_QUERY = print(PushChangesDocument);
export const PULL_QUERY = print(PullChangesDocument);
export const SUBSCRIBE_QUERY = print(ChangesDocument);

export interface BenchContext {
  quick: boolean;
  /** The bench database (fresh, dropped at the end). */
  databaseUrl: string;
  gateway: ServerProcess;
  /** A postgres.js client of the bench's own, for the raw baselines (drizzle never touches it). */
  sql: postgres.Sql;
  token(workspaceId: string): Promise<string>;
  /** Adds a figure to the table. */
  report(figure: Figure): void;
  /** Adds detail (not a table row) to the JSON results. */
  detail(key: string, value: unknown): void;
  log(message: string): void;
}

// ---- Figures ----

export interface Target {
  /** What the target is about: the figure itself, or its ratio to the baseline. */
  of: 'value' | 'ratio';
  /** 'min': at least `limit`; 'max': at most `limit`. */
  kind: 'min' | 'max';
  limit: number;
}

export interface Figure {
  /** Which measurement of the issue (1–6) or 'memory'. */
  group: string;
  name: string;
  unit: string;
  value: number;
  baseline: number;
  baselineName: string;
  target?: Target;
  /** Why the figure is what it is, when it missed its target (filled from the measurement). */
  note?: string;
}

export interface FigureRow extends Figure {
  ratio: number;
  met: boolean | null;
}

export function evaluate(figure: Figure): FigureRow {
  const ratio = figure.baseline === 0 ? Number.NaN : figure.value / figure.baseline;
  let met: boolean | null = null;
  if (figure.target) {
    const measured = figure.target.of === 'ratio' ? ratio : figure.value;
    met = figure.target.kind === 'min' ? measured >= figure.target.limit : measured <= figure.target.limit;
  }
  return { ...figure, ratio, met };
}

export function describeTarget(target: Target | undefined, unit: string): string {
  if (!target) return '';
  const sign = target.kind === 'min' ? '≥' : '≤';
  return target.of === 'ratio' ? `${sign} ${target.limit}× baseline` : `${sign} ${formatNumber(target.limit)} ${unit}`;
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 100) return Math.round(n).toLocaleString('en-US');
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return n.toPrecision(2);
}

export function renderTable(rows: FigureRow[]): string {
  const header = ['figure', 'value', 'baseline', 'ratio', 'target', 'met'];
  const lines = rows.map((r) => [
    r.name,
    `${formatNumber(r.value)} ${r.unit}`,
    `${formatNumber(r.baseline)} ${r.unit} (${r.baselineName})`,
    `${r.ratio.toFixed(2)}×`,
    describeTarget(r.target, r.unit),
    r.met === null ? '' : r.met ? 'met' : 'MISSED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...lines.map(fmt)].join('\n');
}

// ---- Statistics ----

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Wall-clock milliseconds, sub-millisecond, on the same clock as Date.now(). */
export const nowMs = () => performance.timeOrigin + performance.now();

export async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - start };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Rejects after `ms` with `what`, so no step of the bench can hang it. */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---- Processes: CPU time and memory from /proc ----

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on Linux

/** User + system CPU time of a process so far, in milliseconds (10 ms resolution). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size of a process, in MB. */
export function processRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** CPU time this process spent in `fn`, in milliseconds. */
export async function ownCpuMs<T>(fn: () => Promise<T>): Promise<{ result: T; cpuMs: number }> {
  const before = process.cpuUsage();
  const result = await fn();
  const used = process.cpuUsage(before);
  return { result, cpuMs: (used.user + used.system) / 1000 };
}

// ---- The bench database and the gateway ----

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const admin = new URL(adminUrl);
  if (admin.hostname !== '127.0.0.1' && admin.hostname !== 'localhost') {
    throw new Error(`the bench only talks to 127.0.0.1; TEST_DATABASE_URL points at ${admin.hostname}`);
  }
  const name = `sgw_bench_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`CREATE DATABASE ${name}`);
  } catch (error) {
    await sql.end();
    throw new Error(`cannot create the bench database on ${admin.host} (is PostgreSQL running?): ${String(error)}`);
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await sql.end();
    },
  };
}

/** The real entry point as a child process, on the bench database. */
export function startGateway(databaseUrl: string, options: { cpuProfileDir?: string } = {}): Promise<ServerProcess> {
  return startServerProcess(
    {
      DATABASE_URL: databaseUrl,
      JWT_SECRET: BENCH_JWT_SECRET,
      HOST: '127.0.0.1',
      PORT: '0',
      GRAPHIQL: 'false',
      // Limits that protect a shared server would throttle the load the bench makes on purpose.
      PUSH_RATE_LIMIT: '0',
      MAX_BODY_BYTES: String(16 * 1024 * 1024),
    },
    { nodeArgs: options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [] },
  );
}

export function benchToken(workspaceId: string): Promise<string> {
  return signToken(BENCH_JWT_SECRET, { workspaceId, userId: 'bench' });
}

// ---- GraphQL over HTTP ----

export interface RawResponse {
  status: number;
  text: string;
}

export async function postGraphQLText(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<RawResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, text: await response.text() };
}

/** A push that must succeed with every change applied. */
export async function pushOrThrow(url: string, token: string, clientId: string, changes: unknown[]): Promise<void> {
  const { status, text } = await postGraphQLText(url, token, PUSH_QUERY, { clientId, changes });
  const body = JSON.parse(text) as { errors?: unknown; data?: { pushChanges: { results: { status: string }[] } } };
  if (status !== 200 || body.errors) throw new Error(`push failed (${status}): ${text.slice(0, 500)}`);
  const refused = body.data!.pushChanges.results.filter((r) => r.status !== 'APPLIED' && r.status !== 'MERGED');
  if (refused.length) throw new Error(`push refused ${refused.length} changes: ${JSON.stringify(refused[0])}`);
}

// ---- Notes as the bench writes them ----

export interface NoteChange {
  mutationId: string;
  entityType: 'Note';
  entityId: string;
  op: 'INSERT' | 'UPDATE';
  data: Record<string, unknown>;
  baseVersion?: number;
}

/** A note of a realistic size: a title, a paragraph, two tags. */
export function noteInsert(n: number): NoteChange {
  return {
    mutationId: randomUUID(),
    entityType: 'Note',
    entityId: randomUUID(),
    op: 'INSERT',
    data: {
      title: `Note ${n}`,
      body: `Body of note ${n}: ${'lorem ipsum dolor sit amet '.repeat(4)}`.trim(),
      pinned: n % 7 === 0,
      tags: ['bench', `t${n % 10}`],
      likes: 0,
    },
  };
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---- Raw writes: the rows a push of note inserts writes, with nothing in between ----

/** One transaction: the workspace lock, then the rows the gateway writes for these inserts. */
export async function writeNotesRaw(sql: postgres.Sql, workspaceId: string, clientId: string, changes: NoteChange[]) {
  await sql.begin(async (tx) => {
    const [head] = await tx<{ last_seq: string; now: Date }[]>`
      insert into sync_workspaces (id, last_seq) values (${workspaceId}, 0)
      on conflict (id) do update set last_seq = sync_workspaces.last_seq
      returning last_seq, clock_timestamp() as now`;
    const start = Number(head!.last_seq);
    const now = head!.now;
    const notes = changes.map((c) => ({
      workspace_id: workspaceId,
      id: c.entityId,
      version: 1,
      updated_at: now,
      deleted: false,
      title: c.data.title as string,
      body: c.data.body as string,
      pinned: c.data.pinned as boolean,
      folder_id: null,
      tags: c.data.tags as string[],
      likes: 0,
    }));
    const log = changes.map((c, i) => ({
      workspace_id: workspaceId,
      seq: start + i + 1,
      entity_type: 'Note',
      entity_id: c.entityId,
      op: 'INSERT',
      version: 1,
      changed_fields: Object.keys(c.data),
      client_id: clientId,
      mutation_id: c.mutationId,
      record: { id: c.entityId, version: 1, updatedAt: now.toISOString(), deleted: false, folderId: null, ...c.data },
      delta: null,
      committed_at: now,
    }));
    const mutations = changes.map((c, i) => ({
      workspace_id: workspaceId,
      client_id: clientId,
      mutation_id: c.mutationId,
      entity_type: 'Note',
      entity_id: c.entityId,
      seq: start + i + 1,
    }));
    await tx`insert into notes ${tx(notes)}`;
    await tx`insert into change_log ${tx(log as never)}`;
    await tx`insert into client_mutations ${tx(mutations)}`;
    await tx`update sync_workspaces set last_seq = ${start + changes.length} where id = ${workspaceId}`;
  });
}

// ---- A TCP proxy that counts the bytes the gateway sends back ----

export class CountingProxy {
  received = 0;
  sent = 0;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  port = 0;

  private constructor(target: URL) {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port), target.hostname);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => this.#sockets.delete(socket));
      }
      client.on('data', (chunk: Buffer) => {
        this.sent += chunk.length;
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        this.received += chunk.length;
        client.write(chunk);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  static async start(targetUrl: string): Promise<CountingProxy> {
    const proxy = new CountingProxy(new URL(targetUrl));
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.#server.address() as net.AddressInfo).port;
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  reset() {
    this.received = 0;
    this.sent = 0;
  }

  async close() {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

// ---- The machine ----

export async function describeMachine(sql: postgres.Sql) {
  const [{ server_version: postgresVersion }] = (await sql`show server_version`) as unknown as [{ server_version: string }];
  const [{ synchronous_commit: synchronousCommit }] = (await sql`show synchronous_commit`) as unknown as [{ synchronous_commit: string }];
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: postgresVersion,
    postgresSynchronousCommit: synchronousCommit,
    platform: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}
