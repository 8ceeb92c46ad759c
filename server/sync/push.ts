/**
 * One push = one transaction: lock the workspace, load what the batch touches in
 * a few set-based reads, decide every change in memory (apply.ts), then write the
 * final records, the log entries and the mutation ids in bulk. Any thrown error
 * rolls the whole batch back; nothing of it is visible until commit.
 */
import { and, eq, getTableColumns, gt, inArray, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Transaction, Database } from '../../db/client.ts';
import { changeLog, clientMutations, syncWorkspaces } from '../../db/schema.ts';
import { applyChange, type ChangeFailure, type ValidChange } from './apply.ts';
import type { EntityRegistry } from './entities.ts';
import { rowToState, toSnapshot, type RecordSnapshot, type RecordState } from './records.ts';
import { isValidMutationId, validateChange, type ChangeInputWire } from './validate.ts';

export type ChangeStatus = 'APPLIED' | 'MERGED' | 'CONFLICT' | 'REJECTED' | 'DUPLICATE';

export interface ChangeResultView {
  mutationId: string;
  status: ChangeStatus;
  record: RecordSnapshot | null;
  error: ChangeFailure | null;
  conflictingFields: string[];
}

export interface PushOutcome {
  results: ChangeResultView[];
  /** The workspace's log position after this push. */
  lastSeq: number;
  /** How many changes were written (0: nothing to tell subscribers). */
  written: number;
}

// Rows per INSERT statement: keeps every statement far below PostgreSQL's 65,535 parameters.
const ROWS_PER_STATEMENT = 1000;

interface EntityRef {
  entityType: string;
  entityId: string;
}
const refKey = (entityType: string, entityId: string) => `${entityType}\u0000${entityId}`;

export async function pushChanges(
  db: Database,
  entities: EntityRegistry,
  input: { workspaceId: string; clientId: string; changes: ChangeInputWire[] },
): Promise<PushOutcome> {
  const { workspaceId, clientId } = input;
  const validated = input.changes.map((change) => validateChange(change, entities));

  return db.transaction(async (tx) => {
    const { lastSeq, now } = await lockWorkspace(tx, workspaceId);

    const mutationIds = input.changes.map((c) => c.mutationId).filter(isValidMutationId);
    const applied = await loadAppliedMutations(tx, workspaceId, clientId, mutationIds);

    const refs: EntityRef[] = [...applied.values()];
    for (const change of validated) {
      if (!('code' in change)) refs.push({ entityType: change.entity.name, entityId: change.entityId });
    }
    const working = await loadRecords(tx, entities, workspaceId, refs);
    const history = await loadHistory(tx, workspaceId, validated, working);

    const results: ChangeResultView[] = [];
    const dirty = new Set<string>();
    const logRows: (typeof changeLog.$inferInsert)[] = [];
    const mutationRows: (typeof clientMutations.$inferInsert)[] = [];
    let seq = lastSeq;

    for (const [index, change] of validated.entries()) {
      const mutationId = input.changes[index]!.mutationId;
      const prior = applied.get(mutationId);
      if (prior) {
        const record = working.get(refKey(prior.entityType, prior.entityId));
        results.push(result(mutationId, 'DUPLICATE', record && toSnapshot(prior.entityType, record)));
        continue;
      }
      if ('code' in change) {
        results.push({ ...result(mutationId, 'REJECTED', undefined), error: change });
        continue;
      }

      const key = refKey(change.entity.name, change.entityId);
      const current = working.get(key);
      const outcome = applyChange(current, change, (base) => concurrentFields(history.get(key), base, current!.version, clientId), now);
      if (outcome.kind === 'not-written') {
        const record = outcome.record && toSnapshot(change.entity.name, outcome.record);
        results.push({ ...result(mutationId, outcome.status, record), error: outcome.error });
        continue;
      }

      seq += 1;
      const next = outcome.next;
      working.set(key, next);
      dirty.add(key);
      appendHistory(history, key, { version: next.version, fields: outcome.changedFields, clientId });
      applied.set(mutationId, { entityType: change.entity.name, entityId: change.entityId });
      const snapshot = toSnapshot(change.entity.name, next);
      const { __typename: _typename, ...stored } = snapshot;
      logRows.push({
        workspaceId,
        seq,
        entityType: change.entity.name,
        entityId: change.entityId,
        op: change.op,
        version: next.version,
        changedFields: outcome.changedFields,
        clientId,
        mutationId,
        record: stored,
        committedAt: now,
      });
      mutationRows.push({ workspaceId, clientId, mutationId, entityType: change.entity.name, entityId: change.entityId, seq });
      results.push({ ...result(mutationId, outcome.status, snapshot), conflictingFields: outcome.conflictingFields });
    }

    if (seq > lastSeq) {
      await writeRecords(tx, entities, workspaceId, working, dirty);
      for (const rows of chunks(logRows)) await tx.insert(changeLog).values(rows);
      for (const rows of chunks(mutationRows)) await tx.insert(clientMutations).values(rows);
      await tx.update(syncWorkspaces).set({ lastSeq: seq }).where(eq(syncWorkspaces.id, workspaceId));
    }
    return { results, lastSeq: seq, written: seq - lastSeq };
  });
}

function result(mutationId: string, status: ChangeStatus, record: RecordSnapshot | undefined): ChangeResultView {
  return { mutationId, status, record: record ?? null, error: null, conflictingFields: [] };
}

/**
 * Takes the workspace's row lock for the rest of the transaction and reads the
 * server time after getting it, so positions and updatedAt both follow commit order.
 */
async function lockWorkspace(tx: Transaction, workspaceId: string) {
  const [row] = await tx
    .insert(syncWorkspaces)
    .values({ id: workspaceId, lastSeq: 0 })
    .onConflictDoUpdate({ target: syncWorkspaces.id, set: { lastSeq: sql`${syncWorkspaces.lastSeq}` } })
    .returning({
      lastSeq: syncWorkspaces.lastSeq,
      nowMs: sql<number>`(extract(epoch from clock_timestamp()) * 1000)::float8`,
    });
  return { lastSeq: Number(row!.lastSeq), now: new Date(Math.floor(Number(row!.nowMs))) };
}

async function loadAppliedMutations(tx: Transaction, workspaceId: string, clientId: string, mutationIds: string[]) {
  const applied = new Map<string, EntityRef>();
  for (const ids of chunks([...new Set(mutationIds)])) {
    const rows = await tx
      .select({ mutationId: clientMutations.mutationId, entityType: clientMutations.entityType, entityId: clientMutations.entityId })
      .from(clientMutations)
      .where(
        and(
          eq(clientMutations.workspaceId, workspaceId),
          eq(clientMutations.clientId, clientId),
          inArray(clientMutations.mutationId, ids),
        ),
      );
    for (const row of rows) applied.set(row.mutationId, { entityType: row.entityType, entityId: row.entityId });
  }
  return applied;
}

async function loadRecords(tx: Transaction, entities: EntityRegistry, workspaceId: string, refs: EntityRef[]) {
  const records = new Map<string, RecordState>();
  for (const [entityType, ids] of groupIds(refs)) {
    const entity = entities.get(entityType);
    if (!entity) continue;
    const table = entity.table as PgTable & Record<string, PgColumn>;
    for (const part of chunks(ids)) {
      const rows = (await tx
        .select()
        .from(table)
        .where(and(eq(table.workspaceId!, workspaceId), inArray(table.id!, part)))) as Record<string, unknown>[];
      for (const row of rows) records.set(refKey(entityType, row.id as string), rowToState(entity, row));
    }
  }
  return records;
}

type History = Map<string, { version: number; fields: string[]; clientId: string | null }[]>;

/** Log entries of records that UPDATEs in this batch edited from an older version. */
async function loadHistory(
  tx: Transaction,
  workspaceId: string,
  validated: (ValidChange | ChangeFailure)[],
  records: Map<string, RecordState>,
): Promise<History> {
  const oldestBase = new Map<string, { ref: EntityRef; base: number }>();
  for (const change of validated) {
    if ('code' in change || change.op !== 'UPDATE' || change.baseVersion === null) continue;
    const key = refKey(change.entity.name, change.entityId);
    const current = records.get(key);
    if (!current || change.baseVersion >= current.version) continue;
    const known = oldestBase.get(key);
    if (!known || change.baseVersion < known.base) {
      oldestBase.set(key, { ref: { entityType: change.entity.name, entityId: change.entityId }, base: change.baseVersion });
    }
  }
  const history: History = new Map();
  const byType = groupIds([...oldestBase.values()].map((v) => v.ref));
  for (const [entityType, ids] of byType) {
    const minBase = Math.min(...ids.map((id) => oldestBase.get(refKey(entityType, id))!.base));
    for (const part of chunks(ids)) {
      const rows = await tx
        .select({ entityId: changeLog.entityId, version: changeLog.version, fields: changeLog.changedFields, clientId: changeLog.clientId })
        .from(changeLog)
        .where(
          and(
            eq(changeLog.workspaceId, workspaceId),
            eq(changeLog.entityType, entityType),
            inArray(changeLog.entityId, part),
            gt(changeLog.version, minBase),
          ),
        );
      for (const { entityId, ...entry } of rows) appendHistory(history, refKey(entityType, entityId), entry);
    }
  }
  return history;
}

type HistoryEntry = History extends Map<string, (infer E)[]> ? E : never;

function appendHistory(history: History, key: string, entry: HistoryEntry) {
  const entries = history.get(key);
  if (entries) entries.push(entry);
  else history.set(key, [entry]);
}

/**
 * Fields others changed after `base`. The pushing client's own later changes are
 * not concurrent with its edit: it made them in order, offline edits included.
 */
function concurrentFields(entries: HistoryEntry[] | undefined, base: number, current: number, clientId: string) {
  const newer = (entries ?? []).filter((e) => e.version > base && e.version <= current);
  // Every version between base and current must be on record, or we cannot tell what changed.
  if (new Set(newer.map((e) => e.version)).size !== current - base) return 'unknown' as const;
  return new Set(newer.filter((e) => e.clientId !== clientId).flatMap((e) => e.fields));
}

async function writeRecords(
  tx: Transaction,
  entities: EntityRegistry,
  workspaceId: string,
  records: Map<string, RecordState>,
  dirty: Set<string>,
) {
  const byType = new Map<string, Record<string, unknown>[]>();
  for (const key of dirty) {
    const [entityType] = key.split('\u0000') as [string];
    const state = records.get(key)!;
    const row = { workspaceId, id: state.id, version: state.version, updatedAt: state.updatedAt, deleted: state.deleted, ...state.data };
    const rows = byType.get(entityType);
    if (rows) rows.push(row);
    else byType.set(entityType, [row]);
  }
  for (const [entityType, rows] of byType) {
    const table = entities.get(entityType)!.table as PgTable & Record<string, PgColumn>;
    const columns = getTableColumns(table) as Record<string, PgColumn>;
    const set = Object.fromEntries(
      Object.entries(columns)
        .filter(([key]) => key !== 'workspaceId' && key !== 'id')
        .map(([key, column]) => [key, sql`excluded.${sql.identifier(column.name)}`]),
    );
    for (const part of chunks(rows)) {
      await tx
        .insert(table)
        .values(part as never)
        .onConflictDoUpdate({ target: [table.workspaceId!, table.id!], set });
    }
  }
}

function groupIds(refs: EntityRef[]): Map<string, string[]> {
  const grouped = new Map<string, Set<string>>();
  for (const { entityType, entityId } of refs) {
    const ids = grouped.get(entityType);
    if (ids) ids.add(entityId);
    else grouped.set(entityType, new Set([entityId]));
  }
  return new Map([...grouped].map(([type, ids]) => [type, [...ids]]));
}

function chunks<T>(items: T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
