/**
 * The expected values of the CRDT and register fields, computed only from what
 * the clients sent and how the server decided each change (status, code and the
 * version it reports), never from the field values it answers with.
 */
import { effectOf, type Answer, type Ledger } from './ledger.ts';

interface TagAdd {
  element: string;
  version: number;
  clientId: string;
}

interface TagRemove {
  element: string;
  version: number;
  /** Infinity when the change carried no baseVersion: the remove has seen everything. */
  baseVersion: number;
  clientId: string;
}

export interface ExpectedNote {
  likes: number;
  tags: string[];
  /** The last write of each register field in server order; absent when nothing decided wrote it. */
  title?: unknown;
  pinned?: unknown;
  body?: unknown;
}

interface NoteHistory {
  likes: number;
  adds: TagAdd[];
  removes: TagRemove[];
  registers: Partial<Record<'title' | 'pinned' | 'body', unknown>>;
}

const REGISTERS = ['title', 'pinned'] as const;

/** Expected state per note id, for the notes whose INSERT the server applied. */
export function expectedNotes(ledger: Ledger, conflictTargets: Map<string, { entityId: string; field: string }>): Map<string, ExpectedNote> {
  const notes = new Map<string, NoteHistory>();
  for (const answer of ledger.decisions()) {
    const { change, result } = answer;
    const effect = effectOf(result);
    if (effect === 'none') continue;
    if (change.entityType === 'SyncConflict') {
      // A resolution writes its value into the conflict's field, after every earlier write.
      const target = conflictTargets.get(change.entityId);
      const history = target && notes.get(target.entityId);
      if (change.op === 'UPDATE' && history && target.field === 'body') history.registers.body = change.data!.resolvedValue;
      continue;
    }
    if (change.entityType !== 'Note') continue;
    const data = change.data ?? {};
    const version = result.record!.version;
    if (change.op === 'INSERT') {
      notes.set(change.entityId, {
        likes: (data.likes as number | undefined) ?? 0,
        adds: ((data.tags as string[] | undefined) ?? []).map((element) => ({ element, version, clientId: answer.clientId })),
        removes: [],
        registers: { title: data.title, pinned: data.pinned, body: data.body },
      });
      continue;
    }
    const history = notes.get(change.entityId);
    if (!history || change.op !== 'UPDATE') continue;
    applyUpdate(history, answer, version, effect === 'all');
  }
  return new Map([...notes].map(([id, history]) => [id, { likes: history.likes, tags: addWins(history), ...history.registers }]));
}

function applyUpdate(history: NoteHistory, answer: Answer, version: number, bodyWritten: boolean): void {
  const data = answer.change.data ?? {};
  if (data.likes !== undefined) history.likes += (data.likes as { inc: number }).inc;
  if (data.tags !== undefined) {
    const { add = [], remove = [] } = data.tags as { add?: string[]; remove?: string[] };
    for (const element of add) history.adds.push({ element, version, clientId: answer.clientId });
    const baseVersion = answer.change.baseVersion ?? Number.POSITIVE_INFINITY;
    for (const element of remove) history.removes.push({ element, version, baseVersion, clientId: answer.clientId });
  }
  for (const field of REGISTERS) if (data[field] !== undefined) history.registers[field] = data[field];
  // A CONFLICT (CONCURRENT_EDIT) answer held the body back: only its other fields were written.
  if (bodyWritten && data.body !== undefined) history.registers.body = data.body;
}

/**
 * OR-Set with add wins: an element is in the set iff some add of it was not
 * observed by a later remove. A remove observed an add when it was made from a
 * version that includes it (baseVersion ≥ the add's version) or by the same
 * client (a client's own earlier changes are never concurrent with its later ones).
 */
export function addWins(history: { adds: TagAdd[]; removes: TagRemove[] }): string[] {
  const present = history.adds.filter(
    (add) =>
      !history.removes.some(
        (remove) =>
          remove.element === add.element &&
          remove.version > add.version &&
          (remove.baseVersion >= add.version || remove.clientId === add.clientId),
      ),
  );
  return [...new Set(present.map((add) => add.element))].sort();
}
