/**
 * graphcache configuration for synced records. Every record that arrives, by
 * pull, subscription or push answer, is normalized into the cache by its id;
 * the updaters here keep each synced type's list query in step (add what is new,
 * drop tombstones), so every query on screen follows sync without a refetch.
 * The optimistic updater shows a local change at once, online or off.
 */
import type { Cache, CacheExchangeOpts } from '@urql/exchange-graphcache';
import type { TypedDocumentNode } from '@urql/core';
import {
  NoteFieldsFragmentDoc,
  NotesDocument,
  type ChangeInput,
  type ChangesSubscription,
  type PullChangesQuery,
  type PushChangesMutation,
} from '../generated/graphql.ts';
import schema from '../generated/introspection.ts';

/** What the client needs to know of a synced type: how to read one record, and its list query. */
export interface SyncedTypeBinding {
  fragment: TypedDocumentNode<any, any>;
  list: { query: TypedDocumentNode<any, any>; field: string };
}

export const syncedTypes: Record<string, SyncedTypeBinding> = {
  Note: { fragment: NoteFieldsFragmentDoc, list: { query: NotesDocument, field: 'notes' } },
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
 * it is live.
 */
function updateLists(cache: Cache, records: (RecordData | null | undefined)[]) {
  const latest = new Map<string, RecordData>();
  for (const record of records) {
    if (!record) continue;
    const key = `${record.__typename}:${record.id}`;
    latest.delete(key);
    latest.set(key, record);
  }
  for (const record of latest.values()) {
    const binding = syncedTypes[record.__typename];
    if (!binding) continue;
    const key = cache.keyOfEntity({ __typename: record.__typename, id: record.id });
    if (!key) continue;
    const field = binding.list.field;
    const current = (cache.resolve('Query', field) as string[] | null | undefined) ?? [];
    const without = current.filter((item) => item !== key);
    const next = record.deleted ? without : without.length === current.length ? [...current, key] : current;
    if (next !== current || !cache.resolve('Query', field)) cache.link('Query', field, next);
  }
}

/** The record a local change will produce, shown until the server's answer replaces it. */
function optimisticRecord(cache: Cache, change: ChangeInput): RecordData | null {
  const current = readRecord(cache, change.entityType, change.entityId);
  const data = (change.data ?? {}) as Record<string, unknown>;
  switch (change.op) {
    case 'INSERT':
      // Version 0 until the server assigns one; updatedAt is a placeholder the server replaces.
      return { __typename: change.entityType, id: change.entityId, version: 0, updatedAt: new Date().toISOString(), deleted: false, ...data };
    case 'UPDATE':
      return current && { ...current, ...data };
    case 'DELETE':
      return current && { ...current, deleted: true };
  }
}

export function cacheOptions(): Partial<CacheExchangeOpts> {
  return {
    schema,
    // Protocol wrappers are not entities: they are stored inside their parent.
    keys: { ChangeBatch: () => null, Change: () => null, PushResult: () => null, ChangeResult: () => null, SyncError: () => null },
    updates: {
      Query: {
        pullChanges: (result, _args, cache) => {
          const batch = (result as unknown as PullChangesQuery).pullChanges;
          updateLists(cache, batch?.changes.map((c) => c.record as RecordData) ?? []);
        },
      },
      Subscription: {
        changes: (result, _args, cache) => {
          const batch = (result as unknown as ChangesSubscription).changes;
          updateLists(cache, batch?.changes.map((c) => c.record as RecordData) ?? []);
        },
      },
      Mutation: {
        // Runs for the optimistic answer and for the server's.
        pushChanges: (result, _args, cache) => {
          const push = (result as unknown as PushChangesMutation).pushChanges;
          updateLists(cache, push?.results.map((r) => r.record as RecordData | null) ?? []);
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
            record: optimisticRecord(cache, change),
          })),
        } as never;
      },
    },
  };
}
