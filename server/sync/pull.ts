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
}

export async function readChangePage(db: Database, workspaceId: string, afterSeq: number, limit: number): Promise<ChangePage> {
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
  };
}

/** The workspace's newest position (0 before its first change). */
export async function readHead(db: Database, workspaceId: string): Promise<number> {
  const [row] = await db
    .select({ lastSeq: syncWorkspaces.lastSeq })
    .from(syncWorkspaces)
    .where(eq(syncWorkspaces.id, workspaceId));
  return row ? Number(row.lastSeq) : 0;
}
