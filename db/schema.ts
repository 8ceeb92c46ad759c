/**
 * The database schema as typed code. `drizzle-kit generate` turns changes here
 * into a committed migration under db/migrations.
 *
 * Synced entity tables are made with `syncedTable`, which adds the columns every
 * SyncRecord has and scopes the primary key to the workspace: ids are chosen by
 * clients, so two workspaces may (by mistake or malice) use the same id and must
 * never touch each other's row.
 */
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
  type PgColumnBuilderBase,
  type PgTableExtraConfigValue,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

function syncRecordColumns() {
  return {
    workspaceId: text('workspace_id').notNull(),
    id: uuid('id').notNull(),
    version: integer('version').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
    deleted: boolean('deleted').notNull().default(false),
  };
}

export function syncedTable<TName extends string, TColumns extends Record<string, PgColumnBuilderBase>>(
  name: TName,
  columns: TColumns,
  extraConfig?: (table: any) => PgTableExtraConfigValue[],
) {
  return pgTable(name, { ...syncRecordColumns(), ...columns }, (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    ...(extraConfig?.(t) ?? []),
  ]);
}

// ---- Synced entities: one table per type implementing SyncRecord in schema/ ----

export const notes = syncedTable('notes', {
  title: text('title').notNull(),
  body: text('body').notNull(),
  pinned: boolean('pinned').notNull(),
  folderId: text('folder_id'),
  tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
  likes: integer('likes').notNull().default(0),
});

export const folders = syncedTable(
  'folders',
  {
    name: text('name').notNull(),
  },
  // The @unique name rule looks live folders up by name on every push that names one.
  (t) => [index('folders_name_idx').on(t.workspaceId, t.name)],
);

/**
 * Conflicts are records too, so they reach every client through the same log. Only
 * the server creates them; clients settle them (see SyncConflict in schema/).
 */
export const syncConflicts = syncedTable(
  'sync_conflicts',
  {
    kind: text('kind', { enum: ['CONCURRENT_EDIT', 'DUPLICATE_VALUE'] }).notNull(),
    entityType: text('entity_type').notNull(),
    entityId: uuid('entity_id').notNull(),
    field: text('field').notNull(),
    serverValue: jsonb('server_value'),
    clientValue: jsonb('client_value'),
    survivorId: uuid('survivor_id'),
    clientId: text('client_id'),
    resolved: boolean('resolved').notNull(),
    resolvedValue: jsonb('resolved_value'),
    resolvedBy: text('resolved_by'),
  },
  // Merged-away records are looked up by id when a later change still references them.
  (t) => [index('sync_conflicts_entity_idx').on(t.workspaceId, t.entityType, t.entityId)],
);

/** GraphQL type name -> table. The server checks at start that both sides agree field by field. */
export const syncedTables = {
  Note: notes,
  Folder: folders,
  SyncConflict: syncConflicts,
} as const;

// ---- Sync bookkeeping ----

/**
 * One row per workspace. A push locks its row for the whole transaction, which
 * serializes a workspace's pushes: positions are handed out in commit order, so a
 * reader that has seen position N can never later find a smaller one committed.
 */
export const syncWorkspaces = pgTable('sync_workspaces', {
  id: text('id').primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
  /**
   * Compaction floor: log entries at or below this position may have been dropped
   * (server/sync/compaction.ts), so a reader whose position is below it could miss
   * a change and must start over with a full sync.
   */
  compactedSeq: bigint('compacted_seq', { mode: 'number' }).notNull().default(0),
});

/** Every accepted change, in server order, with the record as it was right after it. */
export const changeLog = pgTable(
  'change_log',
  {
    workspaceId: text('workspace_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    entityType: text('entity_type').notNull(),
    entityId: uuid('entity_id').notNull(),
    op: text('op', { enum: ['INSERT', 'UPDATE', 'DELETE'] }).notNull(),
    version: integer('version').notNull(),
    changedFields: text('changed_fields').array().notNull(),
    clientId: text('client_id'),
    mutationId: text('mutation_id'),
    record: jsonb('record').$type<Record<string, unknown>>().notNull(),
    /** COUNTER increments and SET adds/removes as sent: add-wins needs to know what a remove had not seen. */
    delta: jsonb('delta').$type<Record<string, unknown>>(),
    committedAt: timestamp('committed_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.seq] }),
    // Field-level merge looks up what changed on a record since a client's base version.
    index('change_log_record_idx').on(t.workspaceId, t.entityType, t.entityId, t.version),
  ],
);

/**
 * Mutation ids already applied, per workspace and client. Kept apart from the log
 * so idempotency does not depend on how long log entries are retained.
 */
export const clientMutations = pgTable(
  'client_mutations',
  {
    workspaceId: text('workspace_id').notNull(),
    clientId: text('client_id').notNull(),
    mutationId: text('mutation_id').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: uuid('entity_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.clientId, t.mutationId] })],
);

/** Server-wide secrets and settings that must survive restarts (e.g. the sync-token signing key). */
export const syncMeta = pgTable('sync_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
