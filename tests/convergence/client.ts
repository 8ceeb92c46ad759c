/**
 * A simulated client at the protocol level: what an offline-first app keeps,
 * without urql, so a few hundred cases run in a normal test run.
 *
 * - an ordered, durable outbox of changes, each with its own mutation id; a
 *   change leaves it only when the server answered it, so a push that got no
 *   answer is sent again as is (same mutation ids): that is the protocol;
 * - a replica built only from pullChanges pages (every record by type and id,
 *   tombstones included) and the sync token after the last page applied;
 * - an optimistic view: the replica with the outbox applied on top, which is
 *   what the user sees and picks the records to edit from.
 *
 * baseVersion is the version of the record in the replica when the edit is made
 * (absent for a record the client made and has not pulled yet), as the real
 * client sends the version its cache holds.
 */
import { describeChange, describePulled, describeResult } from './describe.ts';
import { entityUuid } from './ids.ts';
import {
  PULL,
  PUSH,
  recordKey,
  type ChangeBatch,
  type ChangeInput,
  type ChangeResult,
  type ConflictRecord,
  type FolderRecord,
  type NoteRecord,
  type SyncRecord,
} from './protocol.ts';
import type { Trace } from './trace.ts';
import { NetworkError, type Fault, type FaultyTransport } from './transport.ts';

export interface NewNote {
  title: string;
  body: string;
  pinned: boolean;
  /** Omitted fields are left out of the INSERT (the server's defaults apply). */
  tags?: string[];
  likes?: number;
  /** Index into the live folders of the view (modulo their count); null: no folder. */
  folderPick: number | null;
}

export interface NoteEdit {
  title?: string;
  body?: string;
  pinned?: boolean;
  likesInc?: number;
  tagsAdd?: string[];
  tagsRemove?: string[];
  /** undefined: folder unchanged; null: unfiled; a number: index into the live folders. */
  folderPick?: number | null;
}

export type Settlement = { value: string } | 'dismiss';

export interface SyncPlan {
  /** Most changes per push. */
  batchSize: number;
  /** `limit` of each pull; null: the server's default page. */
  pageSize: number | null;
  /** Fault of the n-th request of this sync (pushes first, then pulls); none past the end. */
  faults: Fault[];
}

export class SimClient {
  readonly clientId: string;
  readonly outbox: ChangeInput[] = [];
  /** Every change the user made, as made: what the checks hold the server's answers against. */
  readonly made: ChangeInput[] = [];
  /** Insertion order is pull order (server order), so picks by index replay the same way. */
  readonly replica = new Map<string, SyncRecord>();
  syncToken: string | null = null;
  private mutations = 0;
  private entities = 0;

  constructor(
    readonly index: number,
    readonly transport: FaultyTransport,
    private readonly trace: Trace,
  ) {
    this.clientId = `c${index}`;
  }

  get online(): boolean {
    return this.transport.online;
  }

  setOnline(online: boolean): void {
    this.transport.online = online;
    this.trace.log(`${this.clientId} goes ${online ? 'online' : 'offline'}`);
  }

  // ---- the optimistic view ------------------------------------------------

  view(): Map<string, SyncRecord> {
    const view = new Map<string, SyncRecord>();
    for (const [key, record] of this.replica) view.set(key, cloneRecord(record));
    for (const change of this.outbox) applyLocally(view, change);
    return view;
  }

  liveNotes(view = this.view()): NoteRecord[] {
    return [...view.values()].filter((r): r is NoteRecord => r.__typename === 'Note' && !r.deleted);
  }

  liveFolders(view = this.view()): FolderRecord[] {
    return [...view.values()].filter((r): r is FolderRecord => r.__typename === 'Folder' && !r.deleted);
  }

  openConflicts(view = this.view()): ConflictRecord[] {
    return [...view.values()].filter((r): r is ConflictRecord => r.__typename === 'SyncConflict' && !r.deleted);
  }

  // ---- user actions: each records one change in the outbox ------------------

  createNote(spec: NewNote): void {
    const folders = this.liveFolders();
    const data: Record<string, unknown> = { title: spec.title, body: spec.body, pinned: spec.pinned };
    data.folderId = spec.folderPick === null || folders.length === 0 ? null : folders[spec.folderPick % folders.length]!.id;
    if (spec.tags !== undefined) data.tags = spec.tags;
    if (spec.likes !== undefined) data.likes = spec.likes;
    this.record({ entityType: 'Note', entityId: entityUuid('Note', this.index, ++this.entities), op: 'INSERT', data });
  }

  editNote(notePick: number, edit: NoteEdit): void {
    const view = this.view();
    const note = pick(this.liveNotes(view), notePick);
    if (!note) return this.skip('edit: no live note');
    const data: Record<string, unknown> = {};
    if (edit.title !== undefined) data.title = edit.title;
    if (edit.body !== undefined) data.body = edit.body;
    if (edit.pinned !== undefined) data.pinned = edit.pinned;
    if (edit.likesInc !== undefined) data.likes = { inc: edit.likesInc };
    if (edit.tagsAdd?.length || edit.tagsRemove?.length) {
      data.tags = {
        ...(edit.tagsAdd?.length ? { add: edit.tagsAdd } : {}),
        ...(edit.tagsRemove?.length ? { remove: edit.tagsRemove } : {}),
      };
    }
    if (edit.folderPick !== undefined) {
      const folders = this.liveFolders(view);
      data.folderId = edit.folderPick === null || folders.length === 0 ? null : folders[edit.folderPick % folders.length]!.id;
    }
    if (Object.keys(data).length === 0) return this.skip('edit: nothing to change');
    this.record({ entityType: 'Note', entityId: note.id, op: 'UPDATE', data, baseVersion: this.replicaVersion('Note', note.id) });
  }

  deleteNote(notePick: number): void {
    const note = pick(this.liveNotes(), notePick);
    if (!note) return this.skip('delete: no live note');
    this.record({ entityType: 'Note', entityId: note.id, op: 'DELETE', baseVersion: this.replicaVersion('Note', note.id) });
  }

  createFolder(name: string): void {
    this.record({ entityType: 'Folder', entityId: entityUuid('Folder', this.index, ++this.entities), op: 'INSERT', data: { name } });
  }

  renameFolder(folderPick: number, name: string): void {
    const folder = pick(this.liveFolders(), folderPick);
    if (!folder) return this.skip('rename: no live folder');
    this.record({ entityType: 'Folder', entityId: folder.id, op: 'UPDATE', data: { name }, baseVersion: this.replicaVersion('Folder', folder.id) });
  }

  deleteFolder(folderPick: number): void {
    const folder = pick(this.liveFolders(), folderPick);
    if (!folder) return this.skip('delete folder: no live folder');
    this.record({ entityType: 'Folder', entityId: folder.id, op: 'DELETE', baseVersion: this.replicaVersion('Folder', folder.id) });
  }

  /** Resolves an open conflict with a value, or dismisses it (a DUPLICATE_VALUE notice can only be dismissed). */
  settle(conflictPick: number, settlement: Settlement): void {
    const conflict = pick(this.openConflicts(), conflictPick);
    if (!conflict) return this.skip('settle: no open conflict');
    const baseVersion = this.replicaVersion('SyncConflict', conflict.id);
    if (settlement === 'dismiss' || conflict.kind === 'DUPLICATE_VALUE') {
      this.record({ entityType: 'SyncConflict', entityId: conflict.id, op: 'DELETE', baseVersion });
    } else {
      this.record({ entityType: 'SyncConflict', entityId: conflict.id, op: 'UPDATE', data: { resolvedValue: settlement.value }, baseVersion });
    }
  }

  // ---- sync -------------------------------------------------------------------

  /**
   * Pushes the outbox in order, in batches, then pulls to the head. Stops at the
   * first request that gets no answer (a real client backs off and tries later).
   * Returns whether it reached the head with an empty outbox.
   */
  async sync(plan: SyncPlan): Promise<boolean> {
    this.trace.log(`${this.clientId} syncs (batch ${plan.batchSize}, page ${plan.pageSize ?? 'default'}${plan.faults.some((f) => f !== 'none') ? `, faults ${plan.faults.join(' ')}` : ''})`);
    let request = 0;
    const faultOf = () => plan.faults[request++] ?? 'none';
    try {
      while (this.outbox.length > 0) {
        const batch = this.outbox.slice(0, plan.batchSize);
        this.trace.log(`   push ${batch.map(describeChange).join(' | ')}`);
        const data = await this.transport.request<{ pushChanges: { results: ChangeResult[] } }>(
          { query: PUSH, variables: { clientId: this.clientId, changes: batch } },
          faultOf(),
          { replayable: true },
        );
        this.acknowledge(batch, data.pushChanges.results);
      }
      for (;;) {
        const data = await this.transport.request<{ pullChanges: ChangeBatch }>(
          { query: PULL, variables: { since: this.syncToken, limit: plan.pageSize } },
          faultOf(),
        );
        this.applyPage(data.pullChanges);
        if (!data.pullChanges.hasMore) return true;
      }
    } catch (error) {
      if (error instanceof NetworkError) return false;
      throw error;
    }
  }

  async replayStalePush(pick: number): Promise<void> {
    this.trace.log(`${this.clientId}: the network delivers an old push again`);
    if (!(await this.transport.replayStalePush(pick))) this.trace.log('      (no push sent yet)');
  }

  private acknowledge(batch: ChangeInput[], results: ChangeResult[]): void {
    if (results.length !== batch.length || results.some((r, i) => r.mutationId !== batch[i]!.mutationId)) {
      throw new Error(`push answered ${results.map((r) => r.mutationId).join(',')} for ${batch.map((c) => c.mutationId).join(',')}`);
    }
    // Answered, whatever the status: the change leaves the outbox (a refused one
    // would go to the app's failed list; the checks require there are none).
    this.outbox.splice(0, batch.length);
    this.trace.log(`      client got ${results.map(describeResult).join(' | ')}`);
  }

  private applyPage(page: ChangeBatch): void {
    for (const change of page.changes) {
      const key = recordKey(change.entityType, change.entityId);
      const held = this.replica.get(key);
      // Each record's versions only rise along the log: anything else is a change pulled twice or out of order.
      if (held && held.version >= change.record.version) {
        throw new Error(`${this.clientId} pulled ${describePulled(change)} but already holds v${held.version}`);
      }
      this.replica.set(key, change.record);
    }
    this.trace.log(`   pulled ${page.changes.length ? page.changes.map(describePulled).join(' | ') : 'nothing'}${page.hasMore ? ' (more)' : ''}`);
    this.syncToken = page.syncToken;
  }

  private record(change: Omit<ChangeInput, 'mutationId'>): void {
    const full: ChangeInput = { mutationId: `m${++this.mutations}`, ...change };
    if (full.baseVersion === undefined) delete full.baseVersion;
    this.outbox.push(full);
    this.made.push(structuredClone(full));
    this.trace.log(`${this.clientId} records ${describeChange(full)}`);
  }

  private skip(why: string): void {
    this.trace.log(`${this.clientId} (${why}: skipped)`);
  }

  private replicaVersion(entityType: string, id: string): number | undefined {
    return this.replica.get(recordKey(entityType, id))?.version;
  }
}

function pick<T>(items: T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

function cloneRecord(record: SyncRecord): SyncRecord {
  const copy = { ...record };
  if (Array.isArray(copy.tags)) copy.tags = [...copy.tags];
  return copy;
}

const sortedSet = (items: string[]) => [...new Set(items)].sort();

/** What the user sees right after making a change, before the server has answered it. */
function applyLocally(view: Map<string, SyncRecord>, change: ChangeInput): void {
  const key = recordKey(change.entityType, change.entityId);
  if (change.op === 'INSERT') {
    const defaults: Record<string, unknown> = change.entityType === 'Note' ? { tags: [], likes: 0, folderId: null } : {};
    const record: Record<string, unknown> = { __typename: change.entityType, id: change.entityId, version: 0, updatedAt: '', deleted: false, ...defaults, ...change.data };
    if (Array.isArray(record.tags)) record.tags = sortedSet(record.tags as string[]);
    view.set(key, record as SyncRecord);
    return;
  }
  const record = view.get(key);
  if (!record) return;
  if (change.op === 'DELETE') {
    record.deleted = true;
    return;
  }
  if (change.entityType === 'SyncConflict') {
    record.deleted = true;
    const conflict = record as ConflictRecord;
    const target = view.get(recordKey(conflict.entityType, conflict.entityId));
    if (target) target[conflict.field] = change.data!.resolvedValue;
    return;
  }
  for (const [field, value] of Object.entries(change.data ?? {})) {
    if (field === 'likes') record.likes = (record.likes as number) + (value as { inc: number }).inc;
    else if (field === 'tags') {
      const { add = [], remove = [] } = value as { add?: string[]; remove?: string[] };
      record.tags = sortedSet([...(record.tags as string[]), ...add].filter((e) => !remove.includes(e)));
    } else record[field] = value;
  }
}
