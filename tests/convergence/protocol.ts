/**
 * The wire shapes the simulated clients speak: the GraphQL documents (with every
 * field of every synced type, so a replica can be compared with the server field
 * by field) and the types of what goes in and comes back.
 */

const SYNC_RECORD = '__typename id version updatedAt deleted';
const NOTE = 'title body pinned folderId tags likes';
const FOLDER = 'name';
const CONFLICT = 'kind entityType entityId field serverValue clientValue survivorId clientId resolved resolvedValue resolvedBy';

export const RECORD_FIELDS = `${SYNC_RECORD} ... on Note { ${NOTE} } ... on Folder { ${FOLDER} } ... on SyncConflict { ${CONFLICT} }`;

export const PUSH = /* GraphQL */ `
  mutation Push($clientId: ID!, $changes: [ChangeInput!]!) {
    pushChanges(clientId: $clientId, changes: $changes) {
      results {
        mutationId status conflictingFields error { code message }
        record { ${RECORD_FIELDS} }
        conflicts { ${SYNC_RECORD} ${CONFLICT} }
      }
    }
  }
`;

export const PULL = /* GraphQL */ `
  query Pull($since: String, $limit: Int) {
    pullChanges(since: $since, limit: $limit) {
      syncToken hasMore
      changes { entityType entityId op changedFields clientId mutationId record { ${RECORD_FIELDS} } }
    }
  }
`;

export const LISTS = /* GraphQL */ `
  query Lists {
    notes { ${SYNC_RECORD} ${NOTE} }
    folders { ${SYNC_RECORD} ${FOLDER} }
    conflicts { ${SYNC_RECORD} ${CONFLICT} }
  }
`;

export type EntityType = 'Note' | 'Folder' | 'SyncConflict';
export type ChangeOp = 'INSERT' | 'UPDATE' | 'DELETE';
export type ChangeStatus = 'APPLIED' | 'MERGED' | 'CONFLICT' | 'REJECTED' | 'DUPLICATE';

/** A record as the server sends it: the SyncRecord fields plus the type's own. */
export interface SyncRecord {
  __typename: EntityType;
  id: string;
  version: number;
  updatedAt: string;
  deleted: boolean;
  [field: string]: unknown;
}

export interface NoteRecord extends SyncRecord {
  __typename: 'Note';
  title: string;
  body: string;
  pinned: boolean;
  folderId: string | null;
  tags: string[];
  likes: number;
}

export interface FolderRecord extends SyncRecord {
  __typename: 'Folder';
  name: string;
}

export interface ConflictRecord extends SyncRecord {
  __typename: 'SyncConflict';
  kind: 'CONCURRENT_EDIT' | 'DUPLICATE_VALUE';
  entityType: string;
  entityId: string;
  field: string;
  survivorId: string | null;
  clientValue: unknown;
  resolved: boolean;
}

export interface ChangeInput {
  mutationId: string;
  entityType: EntityType;
  entityId: string;
  op: ChangeOp;
  data?: Record<string, unknown>;
  baseVersion?: number;
}

export interface ChangeResult {
  mutationId: string;
  status: ChangeStatus;
  conflictingFields: string[];
  error: { code: string; message: string } | null;
  record: SyncRecord | null;
  conflicts: ConflictRecord[];
}

export interface PulledChange {
  entityType: EntityType;
  entityId: string;
  op: ChangeOp;
  changedFields: string[];
  clientId: string | null;
  mutationId: string | null;
  record: SyncRecord;
}

export interface ChangeBatch {
  syncToken: string;
  hasMore: boolean;
  changes: PulledChange[];
}

export const recordKey = (entityType: string, id: string) => `${entityType}:${id}`;
