/** The protocol's operations as tests (and clients) send them. */
import { randomUUID } from 'node:crypto';
import type { TestGateway } from './gateway.ts';

export const CONFLICT_FIELDS = `id version updatedAt deleted kind entityType entityId field serverValue clientValue survivorId clientId resolved resolvedValue resolvedBy`;

export const RECORD_FIELDS = `id version updatedAt deleted
  ... on Note { title body pinned folderId tags likes }
  ... on Folder { name }
  ... on SyncConflict { ${CONFLICT_FIELDS} }`;

export const PUSH = /* GraphQL */ `
  mutation Push($clientId: ID!, $changes: [ChangeInput!]!) {
    pushChanges(clientId: $clientId, changes: $changes) {
      results {
        mutationId status conflictingFields error { code message }
        record { __typename ${RECORD_FIELDS} }
        conflicts { ${CONFLICT_FIELDS} }
      }
    }
  }
`;

export const PULL = /* GraphQL */ `
  query Pull($since: String, $limit: Int) {
    pullChanges(since: $since, limit: $limit) {
      syncToken
      hasMore
      changes { entityType entityId op changedFields clientId mutationId record { __typename ${RECORD_FIELDS} } }
    }
  }
`;

export const SUBSCRIBE = /* GraphQL */ `
  subscription Changes($since: String) {
    changes(since: $since) {
      syncToken
      hasMore
      changes { entityType entityId op changedFields clientId mutationId record { __typename ${RECORD_FIELDS} } }
    }
  }
`;

export interface ChangeInput {
  mutationId: string;
  entityType: string;
  entityId: string;
  op: 'INSERT' | 'UPDATE' | 'DELETE';
  data?: unknown;
  baseVersion?: number | null;
}

export function newNote(fields: Partial<{ title: string; body: string; pinned: boolean; folderId: string | null }> = {}): ChangeInput {
  return {
    mutationId: randomUUID(),
    entityType: 'Note',
    entityId: randomUUID(),
    op: 'INSERT',
    data: { title: 'Untitled', body: '', pinned: false, ...fields },
  };
}

export function updateNote(entityId: string, data: Record<string, unknown>, baseVersion?: number): ChangeInput {
  return { mutationId: randomUUID(), entityType: 'Note', entityId, op: 'UPDATE', data, baseVersion };
}

export function newFolder(name: string, entityId: string = randomUUID()): ChangeInput {
  return { mutationId: randomUUID(), entityType: 'Folder', entityId, op: 'INSERT', data: { name } };
}

/** Settles a conflict: with a value to write, or (undefined) keeping the record as it is. */
export function settleConflict(conflictId: string, resolvedValue?: unknown): ChangeInput {
  return resolvedValue === undefined
    ? { mutationId: randomUUID(), entityType: 'SyncConflict', entityId: conflictId, op: 'DELETE' }
    : { mutationId: randomUUID(), entityType: 'SyncConflict', entityId: conflictId, op: 'UPDATE', data: { resolvedValue } };
}

export function deleteNote(entityId: string, baseVersion?: number): ChangeInput {
  return { mutationId: randomUUID(), entityType: 'Note', entityId, op: 'DELETE', baseVersion };
}

export async function push(gw: TestGateway, token: string, changes: ChangeInput[], clientId = 'client-a') {
  const response = await gw.graphql(token, PUSH, { clientId, changes });
  if (response.errors) throw new Error(`push failed: ${JSON.stringify(response.errors)}`);
  return response.data.pushChanges.results as any[];
}

export async function pull(gw: TestGateway, token: string, since: string | null = null, limit?: number) {
  const response = await gw.graphql(token, PULL, { since, limit });
  if (response.errors) throw new Error(`pull failed: ${JSON.stringify(response.errors)}`);
  return response.data.pullChanges as { syncToken: string; hasMore: boolean; changes: any[] };
}

/** Pulls pages until hasMore is false, as a client does. */
export async function pullAll(gw: TestGateway, token: string, since: string | null = null, limit?: number) {
  const changes: any[] = [];
  let cursor = since;
  let pages = 0;
  for (;;) {
    const page = await pull(gw, token, cursor, limit);
    changes.push(...page.changes);
    cursor = page.syncToken;
    pages += 1;
    if (!page.hasMore) return { changes, syncToken: cursor, pages };
  }
}
