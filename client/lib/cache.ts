/**
 * graphcache configuration for synced records. Every record that arrives, by
 * pull, subscription or push answer, is normalized into the cache by its id;
 * the updaters here keep each synced type's list query in step (add what is new,
 * drop tombstones, take back records that come back alive), so every query on
 * screen follows sync without a refetch. The conflicts a push answer carries go
 * into the cache with its record.
 * The optimistic updater shows a local change at once, online or off, as the
 * server will store it (the field strategies are mirrored in strategies.ts).
 */
import type { Cache, CacheExchangeOpts } from '@urql/exchange-graphcache';
import type { TypedDocumentNode } from '@urql/core';
import {
  ConflictFieldsFragmentDoc,
  ConflictsDocument,
  FolderFieldsFragmentDoc,
  FoldersDocument,
  NoteFieldsFragmentDoc,
  NotesDocument,
  type ChangeInput,
  type ChangesSubscription,
  type PullChangesQuery,
  type PushChangesMutation,
} from '../generated/graphql.ts';
import schema from '../generated/introspection.ts';
import { applyChangeData, CONFLICT_TYPE, rulesOf } from './strategies.ts';

/** What the client needs to know of a synced type: how to read one record, and its list query. */
export interface SyncedTypeBinding {
  fragment: TypedDocumentNode<any, any>;
  list: { query: TypedDocumentNode<any, any>; field: string };
}

export const syncedTypes: Record<string, SyncedTypeBinding> = {
  Note: { fragment: NoteFieldsFragmentDoc, list: { query: NotesDocument, field: 'notes' } },
  Folder: { fragment: FolderFieldsFragmentDoc, list: { query: FoldersDocument, field: 'folders' } },
  [CONFLICT_TYPE]: { fragment: ConflictFieldsFragmentDoc, list: { query: ConflictsDocument, field: 'conflicts' } },
};

export interface RecordData {
  __typename: string;
  id: string;
  version: number;
  updatedAt: string;
  deleted: boolean;
  [field: string]: unknown;
}

export function readRecord(cache: Cache, entityType: string, id: string): RecordData | null {
  const binding = syncedTypes[entityType];
  if (!binding) return null;
  return cache.readFragment(binding.fragment, { __typename: entityType, id }) as RecordData | null;
}

/**
 * Puts live records into their type's list and takes tombstones out of it.
 *
 * Only the list's links are written, never record fields: graphcache has already
 * normalized each arriving record. Rewriting the list's records (as updateQuery
 * would) reads them through the optimistic layers and writes them back into the
 * layer of the result being processed, which bakes a pending edit into server
 * data, so a refused edit could no longer be reverted.
 *
 * A batch may carry several versions of one record; the last one decides whether
 * it is live. Each list is read and written once per batch, with a set of its
 * keys: a pull page of thousands of records into a list of a hundred thousand
 * must not copy the list once per record.
 */
function updateLists(cache: Cache, records: (RecordData | null | undefined)[]) {
  const latest = new Map<string, RecordData>();
  for (const record of records) {
    if (!record) continue;
    const key = `${record.__typename}:${record.id}`;
    latest.delete(key);
    latest.set(key, record);
  }
  const byList = new Map<string, RecordData[]>();
  for (const record of latest.values()) {
    const binding = syncedTypes[record.__typename];
    if (!binding) continue;
    const group = byList.get(binding.list.field);
    if (group) group.push(record);
    else byList.set(binding.list.field, [record]);
  }
  for (const [field, group] of byList) {
    const linked = cache.resolve('Query', field) as string[] | null | undefined;
    const current = linked ?? [];
    const present = new Set(current);
    const removed = new Set<string>();
    const added: string[] = [];
    for (const record of group) {
      const key = cache.keyOfEntity({ __typename: record.__typename, id: record.id });
      if (!key) continue;
      if (record.deleted) {
        if (present.has(key)) removed.add(key);
      } else if (!present.has(key)) added.push(key);
    }
    if (linked && removed.size === 0 && added.length === 0) continue;
    const kept = removed.size ? current.filter((key) => !removed.has(key)) : current;
    cache.link('Query', field, added.length ? [...kept, ...added] : kept);
  }
}

/** The record a local change will produce, shown until the server's answer replaces it. */
function optimisticRecord(cache: Cache, change: ChangeInput, clientId: string): RecordData | null {
  if (change.entityType === CONFLICT_TYPE) return optimisticSettlement(cache, change, clientId);
  const current = readRecord(cache, change.entityType, change.entityId);
  const data = followMerges(cache, change.entityType, (change.data ?? {}) as Record<string, unknown>);
  switch (change.op) {
    case 'INSERT':
      // Version 0 until the server assigns one; updatedAt is a placeholder the server replaces.
      return {
        ...applyChangeData(change.entityType, 'INSERT', null, data),
        __typename: change.entityType,
        id: change.entityId,
        version: 0,
        updatedAt: new Date().toISOString(),
        deleted: false,
      };
    case 'UPDATE':
      return current && ({ ...applyChangeData(change.entityType, 'UPDATE', current, data), ...identity(current) } as RecordData);
    case 'DELETE':
      return current && { ...current, deleted: true };
  }
}

const identity = ({ __typename, id, version, updatedAt, deleted }: RecordData) => ({ __typename, id, version, updatedAt, deleted });

/**
 * Settling a conflict (UPDATE {resolvedValue}) or dismissing it (DELETE): the
 * conflict becomes a tombstone, so it leaves the `conflicts` list, and a chosen
 * value shows in the record's field at once. The field is written into this
 * change's optimistic layer, so it goes away with it if the server refuses.
 */
function optimisticSettlement(cache: Cache, change: ChangeInput, clientId: string): RecordData | null {
  const conflict = readRecord(cache, CONFLICT_TYPE, change.entityId);
  if (!conflict) return null;
  if (change.op === 'UPDATE') {
    const value = (change.data as { resolvedValue?: unknown } | null)?.resolvedValue;
    const target = readRecord(cache, String(conflict.entityType), String(conflict.entityId));
    const binding = syncedTypes[String(conflict.entityType)];
    if (target && binding && !target.deleted) cache.writeFragment(binding.fragment, { ...target, [String(conflict.field)]: value });
    return { ...conflict, deleted: true, resolved: true, resolvedValue: value ?? null, resolvedBy: clientId };
  }
  return { ...conflict, deleted: true, resolvedBy: clientId };
}

/**
 * The server rewrites a reference to a record merged away by a @unique MERGE
 * (a DUPLICATE_VALUE conflict names it and its survivor) to the survivor; the
 * optimistic record does the same, so a note filed offline into a folder that
 * turned out to be a duplicate shows in the surviving folder at once.
 */
function followMerges(cache: Cache, entityType: string, data: Record<string, unknown>): Record<string, unknown> {
  const fields = rulesOf(entityType)?.fields ?? {};
  let result = data;
  for (const [field, value] of Object.entries(data)) {
    const target = fields[field]?.references;
    if (!target || typeof value !== 'string') continue;
    const survivor = survivorOf(cache, target, value);
    if (survivor) result = { ...result, [field]: survivor };
  }
  return result;
}

function survivorOf(cache: Cache, entityType: string, id: string): string | null {
  const keys = (cache.resolve('Query', syncedTypes[CONFLICT_TYPE]!.list.field) as string[] | null | undefined) ?? [];
  for (const key of keys) {
    if (cache.resolve(key, 'kind') !== 'DUPLICATE_VALUE') continue;
    if (cache.resolve(key, 'entityType') === entityType && cache.resolve(key, 'entityId') === id) {
      const survivor = cache.resolve(key, 'survivorId');
      if (typeof survivor === 'string') return survivor;
    }
  }
  return null;
}

/** Every record a push answer carries: each change's record, then the conflicts it raised. */
function recordsOfPush(push: PushChangesMutation['pushChanges'] | undefined): (RecordData | null)[] {
  return (push?.results ?? []).flatMap((r) => [r.record as RecordData | null, ...((r.conflicts ?? []) as RecordData[])]);
}

/** A record the client knows of, named by type and id. */
export interface RecordRef {
  entityType: string;
  entityId: string;
}

/**
 * A full sync (a pull from since: null through its last page) returns every
 * record the server's log still has. A record the lists hold that it did not
 * return is gone from the log: its tombstone was compacted away, so its delete
 * will never arrive. At the last page such records are dropped from the lists and
 * the cache, unless a local change waiting to be sent names them (its answer
 * settles them). Records that arrive by any other way meanwhile count as seen.
 */
class FullSyncSweep {
  #seen: Set<string> | null = null;

  constructor(private readonly pending: () => Iterable<RecordRef>) {}

  begin() {
    this.#seen = new Set();
  }

  see(cache: Cache, records: (RecordData | null | undefined)[]) {
    if (!this.#seen) return;
    for (const record of records) {
      const key = record && cache.keyOfEntity({ __typename: record.__typename, id: record.id });
      if (key) this.#seen.add(key);
    }
  }

  finish(cache: Cache) {
    const seen = this.#seen;
    this.#seen = null;
    if (!seen) return;
    for (const { entityType, entityId } of this.pending()) {
      const key = cache.keyOfEntity({ __typename: entityType, id: entityId });
      if (key) seen.add(key);
    }
    for (const { list } of Object.values(syncedTypes)) {
      const current = cache.resolve('Query', list.field) as string[] | null | undefined;
      if (!current) continue;
      const gone = current.filter((key) => !seen.has(key));
      if (gone.length === 0) continue;
      cache.link('Query', list.field, current.filter((key) => seen.has(key)));
      for (const key of gone) cache.invalidate(key);
    }
  }
}

/** `pending`: the records local changes not yet answered by the server name. */
export function cacheOptions(pending: () => Iterable<RecordRef> = () => []): Partial<CacheExchangeOpts> {
  const sweep = new FullSyncSweep(pending);
  const arrived = (cache: Cache, records: (RecordData | null | undefined)[]) => {
    sweep.see(cache, records);
    updateLists(cache, records);
  };
  return {
    schema,
    // Protocol wrappers are not entities: they are stored inside their parent.
    keys: { ChangeBatch: () => null, Change: () => null, PushResult: () => null, ChangeResult: () => null, SyncError: () => null },
    updates: {
      Query: {
        pullChanges: (result, args, cache) => {
          const batch = (result as unknown as PullChangesQuery).pullChanges;
          if (!batch) return;
          if (args.since === null || args.since === undefined) sweep.begin();
          arrived(cache, batch.changes.map((c) => c.record as RecordData));
          if (!batch.hasMore) sweep.finish(cache);
        },
      },
      Subscription: {
        changes: (result, _args, cache) => {
          const batch = (result as unknown as ChangesSubscription).changes;
          arrived(cache, batch?.changes.map((c) => c.record as RecordData) ?? []);
        },
      },
      Mutation: {
        // Runs for the optimistic answer and for the server's.
        pushChanges: (result, _args, cache) => {
          arrived(cache, recordsOfPush((result as unknown as PushChangesMutation).pushChanges));
        },
      },
    },
    optimistic: {
      pushChanges: (args, cache) => {
        const changes = args.changes as ChangeInput[];
        return {
          __typename: 'PushResult',
          results: changes.map((change) => ({
            __typename: 'ChangeResult',
            mutationId: change.mutationId,
            status: 'APPLIED',
            conflictingFields: [],
            error: null,
            record: optimisticRecord(cache, change, args.clientId as string),
            conflicts: [],
          })),
        } as never;
      },
    },
  };
}
