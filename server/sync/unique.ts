/**
 * @unique fields and the @references that follow a merge (DuplicateRule.MERGE in
 * schema/sync.graphql). A record that takes a value another live record already
 * has is merged into that one: it becomes a tombstone, records referencing it are
 * moved to the survivor, and a settled DUPLICATE_VALUE SyncConflict tells every
 * client. The merged-away id stays an alias of the survivor (the conflict record
 * remembers it), so a change made offline that still points at it lands on the
 * survivor too.
 *
 * Pushes of a workspace are serialized by its lock (working-set.ts), so checking
 * the loaded candidates is enough; there is no unique index, which would fail a
 * whole batch that swaps two names.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { syncConflicts } from '../../db/schema.ts';
import type { ValidChange } from './apply.ts';
import { raiseConflict } from './conflicts.ts';
import type { EntityField, EntityRegistry, EntityType } from './entities.ts';
import type { RecordSnapshot, RecordState } from './records.ts';
import { chunks, refKey, type WorkingSet } from './working-set.ts';

interface Referrer {
  entity: EntityType;
  field: EntityField;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Merges chain when a survivor is later merged itself; a cycle is impossible (each hop is a live record), so this only bounds the lookups.
const MAX_ALIAS_HOPS = 16;

export class UniqueRules {
  /** Target type -> the fields that reference it. */
  readonly #referrers = new Map<string, Referrer[]>();
  /** Merged-away id -> survivor id, per type. */
  readonly #aliases = new Map<string, string>();

  constructor(entities: EntityRegistry) {
    for (const entity of entities.values()) {
      for (const field of entity.fields.values()) {
        if (!field.references) continue;
        const list = this.#referrers.get(field.references) ?? [];
        list.push({ entity, field });
        this.#referrers.set(field.references, list);
      }
    }
  }

  /**
   * Loads what the rules will consult for this batch: the live records already
   * holding a unique value the batch sets, and the aliases of ids the batch's
   * references point at.
   */
  async preload(ws: WorkingSet, changes: ValidChange[]): Promise<void> {
    const uniqueValues = new Map<string, { entity: EntityType; field: EntityField; values: Set<unknown> }>();
    for (const change of changes) {
      for (const field of uniqueFields(change.entity)) {
        if (!(field.name in change.data)) continue;
        const key = refKey(change.entity.name, field.name);
        const entry = uniqueValues.get(key) ?? { entity: change.entity, field, values: new Set() };
        entry.values.add(change.data[field.name]);
        uniqueValues.set(key, entry);
      }
    }
    for (const { entity, field, values } of uniqueValues.values()) {
      const table = entity.table as PgTable & Record<string, PgColumn>;
      for (const part of chunks([...values])) {
        await ws.loadWhere(entity.name, and(inArray(table[field.name]!, part), eq(table.deleted!, false))!);
      }
    }
    // References a write may keep or set: those in the changes, and those the records already hold
    // (a note deleted while its folder was merged away still names that folder when it comes back).
    let pending = new Map<string, Set<string>>();
    const collect = (entity: EntityType, data: Record<string, unknown>) => {
      for (const field of entity.fields.values()) {
        const value = data[field.name];
        if (field.references && typeof value === 'string' && UUID.test(value)) addTo(pending, field.references, value);
      }
    };
    for (const change of changes) {
      collect(change.entity, change.data);
      const current = ws.get(change.entity.name, change.entityId);
      if (current) collect(change.entity, current.data);
    }
    for (let hop = 0; hop < MAX_ALIAS_HOPS && pending.size > 0; hop++) {
      const next = new Map<string, Set<string>>();
      for (const [entityType, ids] of pending) {
        for (const part of chunks([...ids])) {
          const rows = await ws.tx
            .select({ entityId: syncConflicts.entityId, survivorId: syncConflicts.survivorId })
            .from(syncConflicts)
            .where(
              and(
                eq(syncConflicts.workspaceId, ws.workspaceId),
                eq(syncConflicts.kind, 'DUPLICATE_VALUE'),
                eq(syncConflicts.entityType, entityType),
                inArray(syncConflicts.entityId, part),
              ),
            );
          for (const { entityId, survivorId } of rows) {
            if (!survivorId) continue;
            this.#aliases.set(refKey(entityType, entityId), survivorId);
            addTo(next, entityType, survivorId);
          }
        }
      }
      pending = next;
    }
  }

  /** The change with every reference to a merged-away record pointed at its survivor. */
  redirectReferences(change: ValidChange): ValidChange {
    const data = this.#redirect(change.entity, change.data);
    return data ? { ...change, data } : change;
  }

  /**
   * A record about to be written, with references it already held to a merged-away
   * record pointed at the survivor; the fields so moved are added to `changedFields`.
   */
  redirectRecord(entity: EntityType, record: RecordState, changedFields: string[]): { record: RecordState; changedFields: string[] } {
    const data = this.#redirect(entity, record.data);
    if (!data) return { record, changedFields };
    const moved = Object.keys(data).filter((name) => data[name] !== record.data[name] && !changedFields.includes(name));
    return { record: { ...record, data }, changedFields: [...changedFields, ...moved] };
  }

  #redirect(entity: EntityType, source: Record<string, unknown>): Record<string, unknown> | undefined {
    let data: Record<string, unknown> | undefined;
    for (const field of entity.fields.values()) {
      const value = source[field.name];
      if (!field.references || typeof value !== 'string') continue;
      const survivor = this.#survivorOf(field.references, value);
      if (survivor !== value) (data ??= { ...source })[field.name] = survivor;
    }
    return data;
  }

  /** Another live record holding a unique value that `record` has just taken, if any. */
  findHolder(ws: WorkingSet, entity: EntityType, record: RecordState, changedFields: string[]) {
    for (const field of uniqueFields(entity)) {
      if (!changedFields.includes(field.name)) continue;
      const value = record.data[field.name];
      for (const other of ws.recordsOf(entity.name)) {
        if (!other.deleted && other.id !== record.id && other.data[field.name] === value) return { field, holder: other };
      }
    }
    return undefined;
  }

  /**
   * Merges `record` (the state the change wanted) into `survivor`: writes it as a
   * tombstone, moves what references it, and raises the notice. Returns the
   * tombstone and the notice.
   */
  async merge(
    ws: WorkingSet,
    entity: EntityType,
    record: RecordState,
    changedFields: string[],
    field: EntityField,
    survivor: RecordState,
    mutationId: string,
  ): Promise<{ tombstone: RecordSnapshot; notice: RecordSnapshot }> {
    const tombstone = ws.emit({
      entityType: entity.name,
      op: 'DELETE',
      record: { ...record, deleted: true },
      changedFields,
      mutationId,
    });
    this.#aliases.set(refKey(entity.name, record.id), survivor.id);
    const notice = raiseConflict(ws, mutationId, {
      kind: 'DUPLICATE_VALUE',
      entityType: entity.name,
      entityId: record.id,
      field: field.name,
      serverValue: survivor.data[field.name],
      clientValue: record.data[field.name],
      survivorId: survivor.id,
      resolved: true,
      resolvedValue: survivor.data[field.name],
    });
    await this.#moveReferences(ws, entity.name, record.id, survivor.id);
    return { tombstone, notice };
  }

  async #moveReferences(ws: WorkingSet, entityType: string, fromId: string, toId: string) {
    for (const { entity, field } of this.#referrers.get(entityType) ?? []) {
      const table = entity.table as PgTable & Record<string, PgColumn>;
      await ws.loadWhere(entity.name, and(eq(table[field.name]!, fromId), eq(table.deleted!, false))!);
      for (const record of [...ws.recordsOf(entity.name)]) {
        if (record.deleted || record.data[field.name] !== fromId) continue;
        ws.emit({
          entityType: entity.name,
          op: 'UPDATE',
          record: { ...record, version: record.version + 1, updatedAt: ws.now, data: { ...record.data, [field.name]: toId } },
          changedFields: [field.name],
          mutationId: null,
        });
      }
    }
  }

  #survivorOf(entityType: string, id: string): string {
    let current = id;
    for (let hop = 0; hop < MAX_ALIAS_HOPS; hop++) {
      const next = this.#aliases.get(refKey(entityType, current));
      if (!next) break;
      current = next;
    }
    return current;
  }
}

function uniqueFields(entity: EntityType): EntityField[] {
  return [...entity.fields.values()].filter((field) => field.unique);
}

function addTo(map: Map<string, Set<string>>, key: string, value: string) {
  const set = map.get(key) ?? new Set<string>();
  set.add(value);
  map.set(key, set);
}
