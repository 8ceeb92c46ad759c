/**
 * The sync operations as the API sees them: limits, tokens and workspace scoping
 * applied in one place, so resolvers stay one line each.
 */
import type { Database } from '../../db/client.ts';
import type { Viewer } from '../auth.ts';
import type { SyncLimits } from '../config.ts';
import { RequestErrorCode, requestError } from '../errors.ts';
import { CONFLICT_TYPE, type EntityRegistry, type EntityType } from './entities.ts';
import { listLiveRecords } from './lists.ts';
import { LiveTail } from './live-tail.ts';
import { streamChanges } from './live.ts';
import type { ChangeNotifier } from './notifier.ts';
import { readChangePage, readHead, type ChangePage, type ChangeView } from './pull.ts';
import { pushChanges, type ChangeResultView } from './push.ts';
import { badToken, type SyncTokenCodec } from './tokens.ts';
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
}

const MAX_CLIENT_ID_LENGTH = 255;

export class SyncService {
  /** Streams of a workspace share their reads of the log (see live-tail.ts). */
  readonly #live: LiveTail;
  /** A shared page becomes one batch for all its streams: the token is the same for every viewer of the workspace. */
  readonly #batches = new WeakMap<ChangePage, ChangeBatchView>();

  constructor(private readonly deps: SyncServiceDeps) {
    this.#live = new LiveTail(deps.notifier);
  }

  async pull(viewer: Viewer, since: string | null | undefined, limit: number | null | undefined): Promise<ChangeBatchView> {
    const pageSize = this.#pageSize(limit);
    const afterSeq = await this.#position(viewer, since);
    const page = await readChangePage(this.deps.db, viewer.workspaceId, afterSeq, pageSize);
    return this.#batch(viewer, page);
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
    if (changes.length === 0) return { results: [] };
    const outcome = await pushChanges(this.deps.db, this.deps.entities, {
      workspaceId: viewer.workspaceId,
      clientId,
      changes,
    });
    // After commit: subscribers woken now read the committed changes.
    if (outcome.written > 0) this.deps.notifier.publish(viewer.workspaceId, outcome.lastSeq);
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
    const afterSeq = await this.#position(viewer, since);
    const pageSize = this.deps.limits.defaultPageSize;
    return streamChanges({
      notifier: this.#live,
      workspaceId: viewer.workspaceId,
      afterSeq,
      readPage: (after) => this.#live.read(viewer.workspaceId, after, () => readChangePage(this.deps.db, viewer.workspaceId, after, pageSize)),
      toBatch: (page) => {
        let batch = this.#batches.get(page);
        if (!batch) this.#batches.set(page, (batch = this.#batch(viewer, page)));
        return batch;
      },
    });
  }

  #batch(viewer: Viewer, page: ChangePage): ChangeBatchView {
    return {
      changes: page.changes,
      syncToken: this.deps.tokens.encode(viewer.workspaceId, page.lastSeq),
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

  async #position(viewer: Viewer, since: string | null | undefined): Promise<number> {
    if (since === null || since === undefined) return 0;
    const seq = this.deps.tokens.decode(since, viewer.workspaceId);
    // A token ahead of the log (e.g. a database restored from an older backup)
    // would silently skip changes: refuse it so the client resyncs.
    if (seq > 0 && seq > (await readHead(this.deps.db, viewer.workspaceId))) {
      throw badToken('it points past the end of the change log');
    }
    return seq;
  }
}
