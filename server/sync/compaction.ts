/**
 * Change-log compaction: the log keeps every record's newest state and forgets
 * what is older than the horizon and no longer needed.
 *
 * An entry committed before the cutoff is dropped when a newer entry of the same
 * record exists (superseded) or when it is the record's tombstone (its snapshot
 * is deleted). Everything else stays, so a full sync still returns every live
 * record's newest state. Records themselves are never touched: a deleted record
 * stays a tombstone row in its table, only its log entries go.
 *
 * Each workspace is compacted in batches, each one transaction holding the
 * workspace's row lock (the lock every push takes), so compaction serializes with
 * pushes and with itself when several gateway instances run it at once. The same
 * transaction raises the workspace's floor (`sync_workspaces.compacted_seq`) to
 * the highest position it dropped: readers below the floor get
 * SYNC_TOKEN_EXPIRED (pull.ts).
 *
 * "Before the cutoff" is decided by position, not row by row: the first entry of
 * a batch committed at or after the cutoff ends the pass. Positions are handed out
 * in commit order, so every entry below the floor is older than every entry kept
 * above it even if the clock stepped back; pull.ts relies on that.
 *
 * Mutation ids (`client_mutations`) are not compacted: a push replayed after any
 * time must still come back DUPLICATE rather than apply twice.
 */
import { and, asc, eq, exists, gt, lte, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/client.ts';
import { changeLog, syncWorkspaces } from '../../db/schema.ts';

/** Entries looked at per transaction: short enough that a push waiting for the lock hardly notices. */
const DEFAULT_BATCH_SIZE = 2000;

export interface CompactionOptions {
  /** Entries committed before this instant may be dropped. */
  cutoff: Date;
  /** Only these workspaces (default: every workspace). */
  workspaceIds?: string[];
  batchSize?: number;
}

export interface WorkspaceCompaction {
  workspaceId: string;
  /** Log entries dropped in this pass. */
  dropped: number;
  /** The workspace's floor after the pass. */
  floor: number;
}

export interface CompactionReport {
  cutoff: Date;
  /** Workspaces looked at. */
  workspaces: number;
  /** Log entries dropped in all of them. */
  dropped: number;
  /** The workspaces where something was dropped. */
  compacted: WorkspaceCompaction[];
}

export async function compactChangeLog(db: Database, options: CompactionOptions): Promise<CompactionReport> {
  const workspaceIds =
    options.workspaceIds ?? (await db.select({ id: syncWorkspaces.id }).from(syncWorkspaces)).map((row) => row.id);
  const compacted: WorkspaceCompaction[] = [];
  for (const workspaceId of workspaceIds) {
    const result = await compactWorkspace(db, workspaceId, options.cutoff, options.batchSize ?? DEFAULT_BATCH_SIZE);
    if (result.dropped > 0) compacted.push(result);
  }
  return {
    cutoff: options.cutoff,
    workspaces: workspaceIds.length,
    dropped: compacted.reduce((sum, w) => sum + w.dropped, 0),
    compacted,
  };
}

const newer = alias(changeLog, 'newer');

async function compactWorkspace(db: Database, workspaceId: string, cutoff: Date, batchSize: number): Promise<WorkspaceCompaction> {
  let after = 0;
  let dropped = 0;
  let floor = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const [workspace] = await tx
        .select({ floor: syncWorkspaces.compactedSeq })
        .from(syncWorkspaces)
        .where(eq(syncWorkspaces.id, workspaceId))
        .for('update');
      if (!workspace) return { upper: after, dropped: 0, floor: 0, done: true };

      const scanned = await tx
        .select({ seq: changeLog.seq, committedAt: changeLog.committedAt })
        .from(changeLog)
        .where(and(eq(changeLog.workspaceId, workspaceId), gt(changeLog.seq, after)))
        .orderBy(asc(changeLog.seq))
        .limit(batchSize);
      const young = scanned.findIndex((row) => row.committedAt >= cutoff);
      const old = young === -1 ? scanned : scanned.slice(0, young);
      const done = young !== -1 || scanned.length < batchSize;
      if (old.length === 0) return { upper: after, dropped: 0, floor: Number(workspace.floor), done };
      const upper = Number(old[old.length - 1]!.seq);

      const gone = await tx
        .delete(changeLog)
        .where(
          and(
            eq(changeLog.workspaceId, workspaceId),
            gt(changeLog.seq, after),
            lte(changeLog.seq, upper),
            or(
              sql`${changeLog.record} -> 'deleted' = 'true'::jsonb`,
              exists(
                tx
                  .select({ one: sql`1` })
                  .from(newer)
                  .where(
                    and(
                      eq(newer.workspaceId, changeLog.workspaceId),
                      eq(newer.entityType, changeLog.entityType),
                      eq(newer.entityId, changeLog.entityId),
                      gt(newer.seq, changeLog.seq),
                    ),
                  ),
              ),
            ),
          ),
        )
        .returning({ seq: changeLog.seq });
      let nextFloor = Number(workspace.floor);
      if (gone.length > 0) {
        nextFloor = Math.max(nextFloor, ...gone.map((row) => Number(row.seq)));
        await tx.update(syncWorkspaces).set({ compactedSeq: nextFloor }).where(eq(syncWorkspaces.id, workspaceId));
      }
      return { upper, dropped: gone.length, floor: nextFloor, done };
    });
    after = batch.upper;
    dropped += batch.dropped;
    floor = batch.floor;
    if (batch.done) return { workspaceId, dropped, floor };
  }
}

export interface CompactionScheduleOptions {
  horizonHours: number;
  intervalMinutes: number;
  /** Told the figures of every pass that dropped something. */
  onReport(report: CompactionReport): void;
  onError(error: unknown): void;
}

export interface CompactionSchedule {
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

/**
 * A pass at start and then every interval. The cutoff is taken from the
 * database's clock, the one that stamped `committed_at`.
 */
export function scheduleCompaction(db: Database, options: CompactionScheduleOptions): CompactionSchedule {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const pass = async () => {
    try {
      const [row] = await db
        .select({ cutoffMs: sql<number>`(extract(epoch from now() - make_interval(hours => ${options.horizonHours})) * 1000)::float8` })
        .from(sql`(select 1) as clock`);
      const report = await compactChangeLog(db, { cutoff: new Date(Math.floor(Number(row!.cutoffMs))) });
      if (report.dropped > 0) options.onReport(report);
    } catch (error) {
      options.onError(error);
    }
  };
  const next = (delayMs: number) => {
    timer = setTimeout(() => {
      running = pass().then(() => {
        if (!stopped) next(options.intervalMinutes * 60_000);
      });
    }, delayMs);
    timer.unref?.();
  };
  next(0);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
