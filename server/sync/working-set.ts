/**
 * The records one push works on, held in memory for the length of its
 * transaction: loaded in a few set-based reads, changed by every change of the
 * batch in order, and written back in bulk at the end. Every change that is
 * written goes through `emit`, which hands out the next log position and keeps
 * the record's history current, so later changes of the same batch see it.
 */
import { and, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { rowsOf, type Transaction } from '../../db/client.ts';
import { changeLog, clientMutations, syncWorkspaces } from '../../db/schema.ts';
import type { ChangeOp, ConcurrentEdits, ValidChange } from './apply.ts';
import type { EntityRegistry } from './entities.ts';
import { insertRows } from './json-rows.ts';
import { selectByValues, selectWhere } from './table-reads.ts';
import { rowToState, toSnapshot, type RecordSnapshot, type RecordState } from './records.ts';
import type { LoggedSetOperation } from './validate.ts';

// Rows per statement: keeps every statement far below PostgreSQL's 65,535 parameters.
const ROWS_PER_STATEMENT = 1000;

export interface EntityRef {
  entityType: string;
  entityId: string;
}

interface HistoryEntry {
  version: number;
  op: ChangeOp;
  fields: string[];
  clientId: string | null;
  delta: Record<string, unknown> | null;
}

export interface Emitted {
  entityType: string;
  op: ChangeOp;
  record: RecordState;
  changedFields: string[];
  delta?: Record<string, unknown> | null;
  /** The client change this write belongs to; null for writes the server makes on its own (moved references). */
  mutationId: string | null;
}

/** Rows of one synced table, as drizzle returns them. */
export interface LoadedRows {
  entityType: string;
  rows: Record<string, unknown>[];
}

// Written out rather than built by drizzle on every push; `last_seq = last_seq` takes the row lock without changing the row.
const LOCK_STATEMENT = [
  'insert into "sync_workspaces" ("id", "last_seq") values (',
  ', 0) on conflict ("id") do update set "last_seq" = "sync_workspaces"."last_seq"' +
    ' returning "last_seq", (extract(epoch from clock_timestamp()) * 1000)::float8 as "now_ms"',
] as const;

export const refKey = (entityType: string, entityId: string) => `${entityType}\u0000${entityId}`;

export class WorkingSet {
  readonly #records = new Map<string, RecordState>();
  readonly #dirty = new Set<string>();
  readonly #history = new Map<string, HistoryEntry[]>();
  readonly #logRows: (typeof changeLog.$inferInsert)[] = [];
  readonly #mutationRows: (typeof clientMutations.$inferInsert)[] = [];
  #seq: number;

  private constructor(
    readonly tx: Transaction,
    readonly entities: EntityRegistry,
    readonly workspaceId: string,
    readonly clientId: string,
    readonly startSeq: number,
    readonly now: Date,
  ) {
    this.#seq = startSeq;
  }

  /**
   * Takes the workspace's row lock for the rest of the transaction and reads the
   * server time after getting it, so positions and updatedAt both follow commit order.
   *
   * The statement is handed to the driver before this returns (`execute()`, not a
   * lazy query awaited on a later tick), so statements the caller sends right
   * after it, without waiting, go out in the same round trip and run behind it:
   * each takes its snapshot once the lock is held.
   */
  static lock(tx: Transaction, entities: EntityRegistry, workspaceId: string, clientId: string): Promise<WorkingSet> {
    const locked = tx.execute(sql`${sql.raw(LOCK_STATEMENT[0])}${workspaceId}${sql.raw(LOCK_STATEMENT[1])}`).execute();
    return locked.then((result) => {
      const [row] = rowsOf(result);
      return new WorkingSet(tx, entities, workspaceId, clientId, Number(row!.last_seq), new Date(Math.floor(Number(row!.now_ms))));
    });
  }

  get seq(): number {
    return this.#seq;
  }

  get(entityType: string, entityId: string): RecordState | undefined {
    return this.#records.get(refKey(entityType, entityId));
  }

  /** Live and deleted records of a type held in memory: every candidate a rule must see has been loaded first. */
  *recordsOf(entityType: string): Iterable<RecordState> {
    const prefix = `${entityType}\u0000`;
    for (const [key, record] of this.#records) if (key.startsWith(prefix)) yield record;
  }

  /** Loads the records not held yet. */
  async load(refs: EntityRef[]): Promise<void> {
    const missing = refs.filter((ref) => !this.#records.has(refKey(ref.entityType, ref.entityId)));
    this.adopt(await WorkingSet.read(this.tx, this.entities, this.workspaceId, missing));
  }

  /**
   * Reads records of the workspace by reference, without a working set: what a
   * push reads alongside taking the lock. Hand the result to `adopt`.
   */
  static async read(tx: Transaction, entities: EntityRegistry, workspaceId: string, refs: EntityRef[]): Promise<LoadedRows[]> {
    const loaded: LoadedRows[] = [];
    for (const [entityType, ids] of groupIds(refs)) {
      const entity = entities.get(entityType);
      if (!entity) continue;
      const table = entity.table as PgTable & Record<string, PgColumn>;
      for (const part of chunks(ids)) {
        loaded.push({ entityType, rows: await selectByValues(tx, table, workspaceId, table.id!, part) });
      }
    }
    return loaded;
  }

  /** Holds the rows read, except records already held (they may have changed in memory since). */
  adopt(loaded: LoadedRows[]): void {
    for (const { entityType, rows } of loaded) {
      const entity = this.entities.get(entityType)!;
      for (const row of rows) {
        const key = refKey(entityType, row.id as string);
        if (!this.#records.has(key)) this.#records.set(key, rowToState(entity, row));
      }
    }
  }

  /** Loads the records of a type matching `condition` (within the workspace) that are not held yet. */
  async loadWhere(entityType: string, condition: SQL): Promise<void> {
    const table = this.entities.get(entityType)!.table as PgTable & Record<string, PgColumn>;
    this.adopt([{ entityType, rows: await selectWhere(this.tx, table, this.workspaceId, condition) }]);
  }

  /** Log entries of records that changes of this batch edit from an older version than the server's. */
  async loadHistory(changes: ValidChange[]): Promise<void> {
    const oldestBase = new Map<string, { ref: EntityRef; base: number }>();
    for (const change of changes) {
      if (change.op === 'INSERT' || change.baseVersion === null) continue;
      const key = refKey(change.entity.name, change.entityId);
      const current = this.#records.get(key);
      if (!current || change.baseVersion >= current.version) continue;
      const known = oldestBase.get(key);
      if (!known || change.baseVersion < known.base) {
        oldestBase.set(key, { ref: { entityType: change.entity.name, entityId: change.entityId }, base: change.baseVersion });
      }
    }
    for (const [entityType, ids] of groupIds([...oldestBase.values()].map((v) => v.ref))) {
      const minBase = Math.min(...ids.map((id) => oldestBase.get(refKey(entityType, id))!.base));
      for (const part of chunks(ids)) {
        const rows = await this.tx
          .select({
            entityId: changeLog.entityId,
            version: changeLog.version,
            op: changeLog.op,
            fields: changeLog.changedFields,
            clientId: changeLog.clientId,
            delta: changeLog.delta,
          })
          .from(changeLog)
          .where(
            and(
              eq(changeLog.workspaceId, this.workspaceId),
              eq(changeLog.entityType, entityType),
              inArray(changeLog.entityId, part),
              gt(changeLog.version, minBase),
            ),
          );
        for (const { entityId, ...entry } of rows) this.#appendHistory(refKey(entityType, entityId), entry);
      }
    }
  }

  /**
   * What clients other than this push's made of the record after `base`. The
   * pushing client's own later changes are not concurrent with its edit: it made
   * them in order, offline edits included.
   */
  concurrentEdits(entityType: string, entityId: string, base: number): ConcurrentEdits | 'unknown' {
    const key = refKey(entityType, entityId);
    const current = this.#records.get(key)!.version;
    const newer = (this.#history.get(key) ?? []).filter((e) => e.version > base && e.version <= current);
    // Every version between base and current must be on record, or we cannot tell what changed.
    if (new Set(newer.map((e) => e.version)).size !== current - base) return 'unknown';
    const fields = new Set<string>();
    let deleted = false;
    // OR-Set bookkeeping over the newer entries, in order: each add by another client is a tag
    // (version, client); a later remove takes away the tags it had seen (added at or before its
    // base, or by its own client). Tags left are adds this push's removes had not seen.
    const tags = new Map<string, Map<string, { version: number; clientId: string | null }[]>>();
    for (const entry of [...newer].sort((a, b) => a.version - b.version)) {
      const byOthers = entry.clientId !== this.clientId;
      if (byOthers) {
        for (const field of entry.fields) fields.add(field);
        if (entry.op === 'DELETE') deleted = true;
      }
      for (const [field, operation] of Object.entries(entry.delta ?? {})) {
        const { add, remove, base } = operation as Partial<LoggedSetOperation>;
        if (!add && !remove) continue;
        const perElement = tags.get(field) ?? new Map<string, { version: number; clientId: string | null }[]>();
        tags.set(field, perElement);
        const seen = base ?? entry.version - 1;
        for (const element of remove ?? []) {
          const left = (perElement.get(element) ?? []).filter((tag) => tag.version > seen && tag.clientId !== entry.clientId);
          perElement.set(element, left);
        }
        if (byOthers) for (const element of add ?? []) perElement.set(element, [...(perElement.get(element) ?? []), { version: entry.version, clientId: entry.clientId }]);
      }
    }
    const unseenAdds = new Map<string, Set<string>>();
    for (const [field, perElement] of tags) {
      unseenAdds.set(field, new Set([...perElement].filter(([, left]) => left.length > 0).map(([element]) => element)));
    }
    return { fields, unseenAdds, deleted };
  }

  /** Records a write: the record's new state, its log entry at the next position, its history. */
  emit(write: Emitted): RecordSnapshot {
    this.#seq += 1;
    const key = refKey(write.entityType, write.record.id);
    this.#records.set(key, write.record);
    this.#dirty.add(key);
    this.#appendHistory(key, {
      version: write.record.version,
      op: write.op,
      fields: write.changedFields,
      clientId: this.clientId,
      delta: write.delta ?? null,
    });
    const snapshot = toSnapshot(write.entityType, write.record);
    const { __typename: _typename, ...stored } = snapshot;
    this.#logRows.push({
      workspaceId: this.workspaceId,
      seq: this.#seq,
      entityType: write.entityType,
      entityId: write.record.id,
      op: write.op,
      version: write.record.version,
      changedFields: write.changedFields,
      clientId: this.clientId,
      mutationId: write.mutationId,
      record: stored,
      delta: write.delta ?? null,
      committedAt: this.now,
    });
    return snapshot;
  }

  /** Remembers that a client change was applied, so a replay of it comes back DUPLICATE. */
  recordMutation(mutationId: string, ref: EntityRef): void {
    this.#mutationRows.push({ workspaceId: this.workspaceId, clientId: this.clientId, mutationId, ...ref, seq: this.#seq });
  }

  /**
   * Writes the final state of every changed record, the log entries, the mutation
   * ids and the new position, in one statement: one round trip whatever the batch.
   * `announcement` (an expression, such as a NOTIFY) is evaluated by that statement.
   */
  async flush(announcement?: SQL): Promise<void> {
    if (this.#seq === this.startSeq) return;
    // The position first: it keeps the statement's opening (what pg_stat_activity shows) readable.
    const writes = [
      sql`update ${syncWorkspaces} set ${sql.identifier(syncWorkspaces.lastSeq.name)} = ${this.#seq} where ${syncWorkspaces.id} = ${this.workspaceId}`,
      ...this.#recordWrites(),
      insertRows(changeLog, this.#logRows),
    ];
    if (this.#mutationRows.length > 0) writes.push(insertRows(clientMutations, this.#mutationRows));
    const steps = sql.join(
      writes.map((write, i) => sql`${sql.raw(`w${i}`)} as (${write})`),
      sql`, `,
    );
    // Data-modifying WITH steps run to completion whatever the main query reads.
    await this.tx.execute(sql`with ${steps} select ${announcement ?? sql`1`}`);
  }

  #appendHistory(key: string, entry: HistoryEntry) {
    const entries = this.#history.get(key);
    if (entries) entries.push(entry);
    else this.#history.set(key, [entry]);
  }

  #recordWrites(): SQL[] {
    const byType = new Map<string, Record<string, unknown>[]>();
    for (const key of this.#dirty) {
      const [entityType] = key.split('\u0000') as [string];
      const state = this.#records.get(key)!;
      const row = { workspaceId: this.workspaceId, id: state.id, version: state.version, updatedAt: state.updatedAt, deleted: state.deleted, ...state.data };
      const rows = byType.get(entityType);
      if (rows) rows.push(row);
      else byType.set(entityType, [row]);
    }
    return [...byType].map(([entityType, rows]) => {
      const table = this.entities.get(entityType)!.table as PgTable & Record<string, PgColumn>;
      return insertRows(table, rows, [table.workspaceId!, table.id!]);
    });
  }
}

export function groupIds(refs: EntityRef[]): Map<string, string[]> {
  const grouped = new Map<string, Set<string>>();
  for (const { entityType, entityId } of refs) {
    const ids = grouped.get(entityType);
    if (ids) ids.add(entityId);
    else grouped.set(entityType, new Set([entityId]));
  }
  return new Map([...grouped].map(([type, ids]) => [type, [...ids]]));
}

export function chunks<T>(items: T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
