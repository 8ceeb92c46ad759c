/**
 * The sync operations as the API sees them: limits, tokens and workspace scoping
 * applied in one place, so resolvers stay one line each.
 */
import { GraphQLError } from 'graphql';
import type { Database } from '../../db/client.ts';
import type { Viewer } from '../auth.ts';
import type { SyncLimits } from '../config.ts';
import { RequestErrorCode, requestError } from '../errors.ts';
import { CONFLICT_TYPE, type EntityRegistry, type EntityType } from './entities.ts';
import { listLiveRecords } from './lists.ts';
import { LiveTail } from './live-tail.ts';
import { streamChanges } from './live.ts';
import type { ChangeNotifier } from './notifier.ts';
import { ignoreSyncEvents, observeSubscription, type SyncObserver } from './observer.ts';
import { readChangePage, readLogBounds, type ChangePage, type ChangeView, type LogCursor } from './pull.ts';
import { pushChanges, type ChangeResultView } from './push.ts';
import type { PushRateLimiter } from './rate-limit.ts';
import { badToken, tokenExpired, type SyncTokenCodec } from './tokens.ts';
import type { ChangeInputWire } from './validate.ts';

export interface ChangeBatchView {
  changes: ChangeView[];
  syncToken: string;
  hasMore: boolean;
}

export interface SyncServiceDeps {
  db: Database;
  entities: EntityRegistry;
  tokens: SyncTokenCodec;
  notifier: ChangeNotifier;
  limits: SyncLimits;
  observer?: SyncObserver;
  /** Absent: pushes are not rate limited. */
  pushRate?: PushRateLimiter | null;
}

const MAX_CLIENT_ID_LENGTH = 255;

export class SyncService {
  readonly #observer: SyncObserver;
  /** Streams of a workspace share their reads of the log (see live-tail.ts). */
  readonly #live: LiveTail;
  /** A shared page becomes one batch for all its streams: the token is the same for every viewer of the workspace. */
  readonly #batches = new WeakMap<ChangePage, ChangeBatchView>();

  constructor(private readonly deps: SyncServiceDeps) {
    this.#observer = deps.observer ?? ignoreSyncEvents;
    this.#live = new LiveTail(deps.notifier);
  }

  async pull(viewer: Viewer, since: string | null | undefined, limit: number | null | undefined): Promise<ChangeBatchView> {
    const pageSize = this.#pageSize(limit);
    const cursor = this.#decode(viewer, since);
    // Two round trips: the page, and the bounds read with it, which also tell
    // whether the token is past the head and how far behind the pull started.
    const read = await readChangePage(this.deps.db, viewer.workspaceId, cursor, pageSize);
    refuseAhead(cursor, read.head);
    if (read.kind === 'expired') throw expired(read.floor);
    this.#observer.onPull(Math.max(0, read.head - cursor.seq));
    return this.#batch(viewer, read.page);
  }

  async push(viewer: Viewer, clientId: string, changes: ChangeInputWire[]): Promise<{ results: ChangeResultView[] }> {
    if (clientId.length === 0 || clientId.length > MAX_CLIENT_ID_LENGTH) {
      throw requestError(RequestErrorCode.BAD_USER_INPUT, `clientId must be 1 to ${MAX_CLIENT_ID_LENGTH} characters.`);
    }
    const { maxBatchSize } = this.deps.limits;
    if (changes.length > maxBatchSize) {
      throw requestError(
        RequestErrorCode.BATCH_TOO_LARGE,
        `A push takes at most ${maxBatchSize} changes; this one has ${changes.length}. Split it into several pushes.`,
      );
    }
    // Before the transaction: a refused push has applied nothing.
    const rate = this.deps.pushRate?.take([viewer.workspaceId, viewer.userId, clientId]);
    if (rate && !rate.allowed) {
      throw new GraphQLError(`Too many pushes from this client; retry in ${rate.retryAfterMs} ms.`, {
        extensions: { code: RequestErrorCode.RATE_LIMITED, retryAfterMs: rate.retryAfterMs },
      });
    }
    if (changes.length === 0) {
      this.#observer.onPush([]);
      return { results: [] };
    }
    const { notifier } = this.deps;
    const outcome = await pushChanges(this.deps.db, this.deps.entities, {
      workspaceId: viewer.workspaceId,
      clientId,
      changes,
      announcement: notifier.announcement && ((lastSeq) => notifier.announcement!(viewer.workspaceId, lastSeq)),
    });
    // After commit: subscribers woken now read the committed changes.
    if (outcome.written > 0) notifier.publish(viewer.workspaceId, outcome.lastSeq);
    this.#observer.onPush(outcome.results);
    return { results: outcome.results };
  }

  /** Settling a conflict is one change to the SyncConflict: UPDATE {resolvedValue}, or DELETE to keep the record as it is. */
  async resolveConflict(
    viewer: Viewer,
    clientId: string,
    settlement: { mutationId: string; conflictId: string; value: { value: unknown } | null },
  ): Promise<ChangeResultView> {
    const change: ChangeInputWire = settlement.value
      ? { mutationId: settlement.mutationId, entityType: CONFLICT_TYPE, entityId: settlement.conflictId, op: 'UPDATE', data: { resolvedValue: settlement.value.value } }
      : { mutationId: settlement.mutationId, entityType: CONFLICT_TYPE, entityId: settlement.conflictId, op: 'DELETE' };
    const { results } = await this.push(viewer, clientId, [change]);
    return results[0]!;
  }

  list(viewer: Viewer, entity: EntityType) {
    return listLiveRecords(this.deps.db, entity, viewer.workspaceId);
  }

  /** Validates the token before the stream starts, so a bad one fails the subscription at once. */
  async subscribe(viewer: Viewer, since: string | null | undefined) {
    const start = await this.#position(viewer, since);
    const pageSize = this.deps.limits.defaultPageSize;
    // The stream's floor follows its pages; a page that expires ends the stream
    // with SYNC_TOKEN_EXPIRED rather than skipping what compaction dropped.
    let floor = start.floor;
    const stream = streamChanges({
      notifier: this.#live,
      workspaceId: viewer.workspaceId,
      afterSeq: start.seq,
      readPage: async (after) => {
        const cursor = { seq: after, floor };
        // Shared by streams at the same cursor: the floor decides expiry, so it is part of the key.
        const page = await this.#live.read(viewer.workspaceId, `${after}/${floor}`, () => this.#readPage(viewer, cursor, pageSize));
        floor = page.floor;
        return page;
      },
      toBatch: (page) => {
        let batch = this.#batches.get(page);
        if (!batch) this.#batches.set(page, (batch = this.#batch(viewer, page)));
        return batch;
      },
    });
    return observeSubscription(stream, this.#observer);
  }

  async #readPage(viewer: Viewer, cursor: LogCursor, pageSize: number): Promise<ChangePage> {
    const read = await readChangePage(this.deps.db, viewer.workspaceId, cursor, pageSize);
    if (read.kind === 'expired') throw expired(read.floor);
    return read.page;
  }

  #batch(viewer: Viewer, page: ChangePage): ChangeBatchView {
    return {
      changes: page.changes,
      syncToken: this.deps.tokens.encode(viewer.workspaceId, page.lastSeq, page.floor),
      hasMore: page.hasMore,
    };
  }

  #pageSize(limit: number | null | undefined): number {
    const { defaultPageSize, maxPageSize } = this.deps.limits;
    if (limit === null || limit === undefined) return defaultPageSize;
    if (limit < 1) throw requestError(RequestErrorCode.BAD_USER_INPUT, 'limit must be 1 or more.');
    if (limit > maxPageSize) {
      throw requestError(RequestErrorCode.PAGE_TOO_LARGE, `limit is at most ${maxPageSize}; pull again with the returned syncToken while hasMore is true.`);
    }
    return limit;
  }

  /** Whether compaction has passed the token is checked by every page read (pull.ts). */
  async #position(viewer: Viewer, since: string | null | undefined): Promise<LogCursor> {
    const cursor = this.#decode(viewer, since);
    if (cursor.seq > 0) refuseAhead(cursor, (await readLogBounds(this.deps.db, viewer.workspaceId)).head);
    return cursor;
  }

  #decode(viewer: Viewer, since: string | null | undefined): LogCursor {
    if (since === null || since === undefined) return { seq: 0, floor: null };
    return this.deps.tokens.decode(since, viewer.workspaceId);
  }
}

/**
 * A token ahead of the log (e.g. a database restored from an older backup) would
 * silently skip changes: refuse it so the client resyncs. The head only grows, so
 * a head read at any time after the token was presented is a fair judge.
 */
function refuseAhead(cursor: LogCursor, head: number) {
  if (cursor.seq > head) throw badToken('it points past the end of the change log');
}

function expired(floor: number) {
  return tokenExpired(`changes up to position ${floor} were compacted away, and this token is from before them`);
}
