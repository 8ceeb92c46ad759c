/**
 * 2. Pull throughput: changes per second through `pullChanges` (the client's
 * own document, every field) over HTTP, walking the whole log of the corpus
 * workspace page by page.
 *
 * Baseline: the same range SELECT of the log by a postgres.js client of the
 * bench's own, plus JSON.stringify of the rows: reading and serializing the
 * same data with nothing in between.
 */
import type postgres from 'postgres';
import { chunk, noteInsert, postGraphQLText, PULL_QUERY, timed, writeNotesRaw, type BenchContext } from './harness.ts';

export interface Corpus {
  workspaceId: string;
  token: string;
  noteIds: string[];
}

/**
 * The workspace every read measurement shares: `size` note inserts written as a
 * push writes them (record, log entry, mutation id), straight into the
 * database: pushing them through the gateway would take most of the bench's
 * time budget, and the push measurement covers that path.
 */
export async function seedCorpus(ctx: BenchContext, size: number): Promise<Corpus> {
  const workspaceId = 'corpus';
  const token = await ctx.token(workspaceId);
  const notes = Array.from({ length: size }, (_, n) => noteInsert(n));
  const { ms } = await timed(async () => {
    for (const batch of chunk(notes, 1000)) await writeNotesRaw(ctx.sql, workspaceId, 'bench-seed', batch);
  });
  ctx.log(`corpus: ${size} notes written in ${(ms / 1000).toFixed(1)} s`);
  return { workspaceId, token, noteIds: notes.map((n) => n.entityId) };
}

const PAGE_HEAD = /"syncToken":"([^"]+)","hasMore":(true|false)/;

/** Walks the log through the gateway; returns how many changes came back. */
async function pullThroughGateway(ctx: BenchContext, corpus: Corpus, limit: number): Promise<number> {
  let since: string | null = null;
  let count = 0;
  for (;;) {
    const { status, text } = await postGraphQLText(ctx.gateway.url, corpus.token, PULL_QUERY, { since, limit });
    // The page's head is all the walk needs; parsing every page here would put the bench's own work into the figure.
    const head = PAGE_HEAD.exec(text.slice(0, 1024));
    if (status !== 200 || !head) throw new Error(`pull failed (${status}): ${text.slice(0, 300)}`);
    count += countChanges(text);
    since = head[1]!;
    if (head[2] === 'false') return count;
  }
}

function countChanges(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"entityType":'); i !== -1; i = text.indexOf('"entityType":', i + 1)) n += 1;
  return n;
}

async function pullRaw(sql: postgres.Sql, workspaceId: string, limit: number): Promise<number> {
  let after = 0;
  let count = 0;
  for (;;) {
    const rows = await sql<{ seq: string }[]>`
      select seq, entity_type, entity_id, op, record, changed_fields, client_id, mutation_id
      from change_log where workspace_id = ${workspaceId} and seq > ${after}
      order by seq limit ${limit + 1}`;
    const page = rows.slice(0, limit);
    JSON.stringify(page);
    count += page.length;
    if (rows.length <= limit) return count;
    after = Number(page[page.length - 1]!.seq);
  }
}

export async function benchPull(ctx: BenchContext, corpus: Corpus) {
  const runs = [];
  // Warms PostgreSQL's cache for both sides alike.
  await pullRaw(ctx.sql, corpus.workspaceId, 5000);
  for (const limit of [500, 5000]) {
    const gateway = await timed(() => pullThroughGateway(ctx, corpus, limit));
    const raw = await timed(() => pullRaw(ctx.sql, corpus.workspaceId, limit));
    if (gateway.result !== corpus.noteIds.length || raw.result !== corpus.noteIds.length) {
      throw new Error(`pull read ${gateway.result} changes (raw ${raw.result}), expected ${corpus.noteIds.length}`);
    }
    const run = {
      limit,
      changes: gateway.result,
      perSecond: gateway.result / (gateway.ms / 1000),
      rawPerSecond: raw.result / (raw.ms / 1000),
    };
    runs.push(run);
    ctx.log(`pull pages of ${limit}: ${Math.round(run.perSecond)}/s (raw ${Math.round(run.rawPerSecond)}/s)`);
    ctx.report({
      group: '2',
      name: `pull, pages of ${limit} (${(corpus.noteIds.length / 1000).toFixed(0)}k log)`,
      unit: 'changes/s',
      value: run.perSecond,
      baseline: run.rawPerSecond,
      baselineName: 'SELECT + JSON.stringify',
      target: { of: 'ratio', kind: 'min', limit: 0.6 },
    });
  }
  ctx.detail('pull', runs);
}
