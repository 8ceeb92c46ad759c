/**
 * Reading the change log: one indexed range scan of a workspace's positions.
 * Positions are handed out in commit order (see push.ts), so "everything after
 * N" never skips a change that commits later.
 */
import { and, asc, eq, gt } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { changeLog, syncWorkspaces } from '../../db/schema.ts';
import type { RecordSnapshot } from './records.ts';

export interface ChangeView {
  entityType: string;
  entityId: string;
  op: 'INSERT' | 'UPDATE' | 'DELETE';
  record: RecordSnapshot;
  changedFields: string[];
  clientId: string | null;
  mutationId: string | null;
}

export interface ChangePage {
  changes: ChangeView[];
  /** Position of the last change in the page, or the start position when it is empty. */
  lastSeq: number;
  hasMore: boolean;
  /** The compaction floor this page was read under: goes into the token after it. */
  floor: number;
}

/**
 * Where a reader stands: after `seq`, with a view of the log taken under
 * compaction floor `floor`; `floor` null starts a full sync (`seq` 0).
 */
export interface LogCursor {
  seq: number;
  floor: number | null;
}

/** `head`: the workspace's newest position, read with the page (at or after the page's rows when continuing). */
export type PageRead = { kind: 'page'; page: ChangePage; head: number } | { kind: 'expired'; floor: number; head: number };

/**
 * One page of the log after the cursor, or `expired` when compaction may have
 * dropped entries the reader has not seen.
 *
 * A reader at `seq` misses nothing while `seq` is at or above the floor (every
 * dropped entry is at or below it). A full sync may go on below the floor as long
 * as the floor has not moved since it started: the entries a compaction keeps
 * below its floor are each record's newest state, and one dropped later without
 * moving the floor is superseded by an entry above it (see compaction.ts).
 *
 * Which floor read is safe depends on the case. Continuing: the page first, then
 * the floor; a compaction that committed before the page is then seen, and one
 * after it took nothing from the page already read. Starting a full sync: the
 * floor first, so a compaction that runs during the first page makes the next
 * page expire instead of hiding a tombstone the first page would need.
 */
export async function readChangePage(db: Database, workspaceId: string, cursor: LogCursor, limit: number): Promise<PageRead> {
  if (cursor.floor === null) {
    const { floor, head } = await readLogBounds(db, workspaceId);
    return { kind: 'page', page: await readRows(db, workspaceId, cursor.seq, limit, floor), head };
  }
  const page = await readRows(db, workspaceId, cursor.seq, limit, 0);
  const { floor, head } = await readLogBounds(db, workspaceId);
  if (Math.max(cursor.seq, cursor.floor) < floor) return { kind: 'expired', floor, head };
  return { kind: 'page', page: { ...page, floor }, head };
}

async function readRows(db: Database, workspaceId: string, afterSeq: number, limit: number, floor: number): Promise<ChangePage> {
  const rows = await db
    .select({
      seq: changeLog.seq,
      entityType: changeLog.entityType,
      entityId: changeLog.entityId,
      op: changeLog.op,
      record: changeLog.record,
      changedFields: changeLog.changedFields,
      clientId: changeLog.clientId,
      mutationId: changeLog.mutationId,
    })
    .from(changeLog)
    .where(and(eq(changeLog.workspaceId, workspaceId), gt(changeLog.seq, afterSeq)))
    .orderBy(asc(changeLog.seq))
    .limit(limit + 1);

  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  return {
    changes: page.map(({ seq: _seq, record, ...row }) => ({
      ...row,
      record: { ...(record as Omit<RecordSnapshot, '__typename'>), __typename: row.entityType } as RecordSnapshot,
    })),
    lastSeq: page.length ? Number(page[page.length - 1]!.seq) : afterSeq,
    hasMore,
    floor,
  };
}

/** The workspace's newest position and its compaction floor (both 0 before its first change). */
export async function readLogBounds(db: Database, workspaceId: string): Promise<{ head: number; floor: number }> {
  const [row] = await db
    .select({ lastSeq: syncWorkspaces.lastSeq, compactedSeq: syncWorkspaces.compactedSeq })
    .from(syncWorkspaces)
    .where(eq(syncWorkspaces.id, workspaceId));
  return row ? { head: Number(row.lastSeq), floor: Number(row.compactedSeq) } : { head: 0, floor: 0 };
}
