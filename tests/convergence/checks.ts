/**
 * The properties checked once every client is quiescent (outbox sent and
 * answered, pulled to the head). Each returns the violations it found as
 * sentences; an empty list means the case converged.
 */
import { isDeepStrictEqual } from 'node:util';
import type { SimClient } from './client.ts';
import { describeChange, describeResult } from './describe.ts';
import { shortId } from './ids.ts';
import { effectOf, type Ledger } from './ledger.ts';
import { expectedNotes } from './model.ts';
import { recordKey, type ChangeInput, type ConflictRecord, type FolderRecord, type NoteRecord, type PulledChange, type SyncRecord } from './protocol.ts';

export interface ServerView {
  /** The whole log, pulled from scratch. */
  log: PulledChange[];
  /** The list queries' answers: live records by type. */
  lists: { notes: SyncRecord[]; folders: SyncRecord[]; conflicts: SyncRecord[] };
}

const LIST_TYPES = { notes: 'Note', folders: 'Folder', conflicts: 'SyncConflict' } as const;
const MAX_REPORTED = 8;

/** A change the server made (a merge moving notes): it carries no mutation id. */
const isServerMade = (change: PulledChange) => change.mutationId === null;

/** Changes (clientId/mutationId) that turned a tombstone back into a live record, writing no field of it. */
function resurrectionsIn(log: PulledChange[]): Set<string> {
  const found = new Set<string>();
  const state = new Map<string, SyncRecord>();
  for (const change of log) {
    const key = recordKey(change.entityType, change.entityId);
    if (state.get(key)?.deleted && !change.record.deleted && change.changedFields.length === 0) {
      found.add(`${change.clientId}/${change.mutationId}`);
    }
    state.set(key, change.record);
  }
  return found;
}

/** The latest state of every record, from the log. */
export function stateFromLog(log: PulledChange[]): Map<string, SyncRecord> {
  const state = new Map<string, SyncRecord>();
  for (const change of log) state.set(recordKey(change.entityType, change.entityId), change.record);
  return state;
}

const name = (key: string) => {
  const [type, id] = key.split(':');
  return `${type} ${shortId(id)}`;
};

function diffRecords(a: SyncRecord, b: SyncRecord): string {
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((f) => !isDeepStrictEqual(a[f], b[f]));
  return fields.map((f) => `${f} ${JSON.stringify(a[f])} vs ${JSON.stringify(b[f])}`).join(', ');
}

/** 1. Every replica equals the server: its records equal a full pull's, and its live records the list queries'. */
export function replicasEqualServer(clients: SimClient[], server: ServerView): string[] {
  const truth = stateFromLog(server.log);
  const violations: string[] = [];
  for (const client of clients) {
    if (client.outbox.length > 0) violations.push(`${client.clientId} still holds ${client.outbox.length} unanswered change(s)`);
    for (const key of new Set([...truth.keys(), ...client.replica.keys()])) {
      const mine = client.replica.get(key);
      const theirs = truth.get(key);
      if (!mine) violations.push(`${client.clientId} lacks ${name(key)} (server v${theirs!.version})`);
      else if (!theirs) violations.push(`${client.clientId} holds ${name(key)}, which is not in a full pull`);
      else if (!isDeepStrictEqual(mine, theirs)) violations.push(`${client.clientId}'s ${name(key)} differs from the server's: ${diffRecords(mine, theirs)}`);
    }
  }
  for (const [list, type] of Object.entries(LIST_TYPES)) {
    const listed = new Map(server.lists[list as keyof typeof LIST_TYPES].map((r) => [recordKey(type, r.id), r]));
    const live = [...truth].filter(([key, r]) => key.startsWith(`${type}:`) && !r.deleted);
    if (listed.size !== live.length) violations.push(`the ${list} query lists ${listed.size} record(s), the log has ${live.length} live`);
    for (const [key, record] of live) {
      const entry = listed.get(key);
      if (!entry) violations.push(`the ${list} query lacks live ${name(key)}`);
      else if (!isDeepStrictEqual(entry, record)) violations.push(`the ${list} query's ${name(key)} differs from the log's: ${diffRecords(entry, record)}`);
    }
  }
  return violations;
}

/**
 * 2 and 3. Exactly once: every change the server decided to write is in the log
 * once per entity type it wrote (a resolution writes the conflict and the note,
 * a merge the folder), a refused one not at all, nothing twice; and every answer
 * after the deciding one is DUPLICATE. No valid change is REJECTED. Every change
 * a user made reached the server as made (same mutation id, same content).
 */
export function exactlyOnce(clients: SimClient[], ledger: Ledger, log: PulledChange[]): string[] {
  const violations: string[] = [];
  const made = new Map<string, ChangeInput>(clients.flatMap((c) => c.made.map((change) => [`${c.clientId}/${change.mutationId}`, change])));
  for (const [key, change] of made) {
    const [clientId, mutationId] = key.split('/') as [string, string];
    if (ledger.answersFor(clientId, mutationId).length === 0) {
      violations.push(`${key} (${describeChange(change)}) was made but the server never answered it: lost`);
    }
  }
  for (const answer of ledger.answers) {
    const key = `${answer.clientId}/${answer.change.mutationId}`;
    const original = made.get(key);
    if (!original) violations.push(`the server answered ${key} (${describeChange(answer.change)}), a change no user made`);
    else if (!isDeepStrictEqual(original, answer.change)) {
      violations.push(`${key} was sent as ${describeChange(answer.change)}, the user made ${describeChange(original)}`);
    }
  }
  const logged = new Map<string, number>();
  for (const change of log) {
    if (isServerMade(change)) {
      // The only changes the server makes itself: moving notes out of a folder that was merged away.
      if (change.entityType !== 'Note' || change.op !== 'UPDATE' || !isDeepStrictEqual(change.changedFields, ['folderId'])) {
        violations.push(`the log holds a server-made ${change.op} ${change.entityType} ${shortId(change.entityId)} [${change.changedFields.join(',')}]`);
      }
      continue;
    }
    const key = `${change.clientId}/${change.mutationId}/${change.entityType}`;
    logged.set(key, (logged.get(key) ?? 0) + 1);
  }
  for (const [key, count] of logged) if (count > 1) violations.push(`${key} is in the log ${count} times`);

  const wrote = new Set<string>();
  const resurrections = resurrectionsIn(log);
  for (const [key, answers] of ledger.mutations()) {
    const decision = ledger.decision(answers[0]!.clientId, answers[0]!.result.mutationId);
    for (const answer of answers) {
      if (answer.result.status === 'REJECTED') violations.push(`${key} (${answer.change.op} ${answer.change.entityType}) was REJECTED: ${describeResult(answer.result)}`);
    }
    const undecided = decision ? answers.slice(0, answers.indexOf(decision)) : answers;
    if (undecided.some((a) => a.result.status === 'DUPLICATE')) violations.push(`${key} was answered DUPLICATE before the server ever applied it`);
    if (!decision) continue;
    const { change, result } = decision;
    const effect = effectOf(result);
    if (effect !== 'none') wrote.add(key);
    for (const later of answers.slice(answers.indexOf(decision) + 1)) {
      const laterWrote = effectOf(later.result) !== 'none';
      if (effect !== 'none' ? later.result.status !== 'DUPLICATE' : laterWrote) {
        violations.push(`${key} was decided ${result.status}, and a resend was answered ${describeResult(later.result)}`);
      }
    }
    const count = logged.get(`${key}/${change.entityType}`) ?? 0;
    const heldWhole = result.error?.code === 'CONCURRENT_EDIT' && Object.keys(change.data ?? {}).every((f) => f === 'body');
    // An edit whose only field was held back writes nothing, unless it brought a deleted note back (EDIT_RESURRECTS).
    const expected = effect === 'none' ? 0 : heldWhole ? (resurrections.has(key) ? 1 : 0) : 1;
    if (count !== expected && count <= 1) {
      violations.push(`${key} (${change.op} ${change.entityType} ${shortId(change.entityId)}) was answered ${describeResult(result)} but is in the log ${count} time(s)`);
    }
  }
  // What a change wrote besides its own record (a conflict it raised, the note a resolution wrote) carries its ids too.
  for (const change of log) {
    if (isServerMade(change)) continue;
    if (!wrote.has(`${change.clientId}/${change.mutationId}`)) {
      violations.push(`the log holds ${change.clientId}/${change.mutationId} (${change.op} ${change.entityType}), which no answer applied`);
    }
  }
  return violations;
}

/**
 * 4, 5 and 7. Every live note's likes, tags, title, pinned and body are what the
 * model computes from the decided changes: likes the start plus every written
 * increment, tags the add-wins set, the registers the last write in server order.
 */
export function fieldsMatchModel(ledger: Ledger, log: PulledChange[]): string[] {
  const truth = stateFromLog(log);
  const conflictTargets = new Map(
    [...truth.values()]
      .filter((r): r is ConflictRecord => r.__typename === 'SyncConflict')
      .map((c) => [c.id, { entityId: c.entityId, field: c.field }]),
  );
  const expected = expectedNotes(ledger, conflictTargets);
  const violations: string[] = [];
  for (const record of truth.values()) {
    if (record.__typename !== 'Note' || record.deleted) continue;
    const note = record as NoteRecord;
    const model = expected.get(note.id);
    if (!model) {
      violations.push(`live note ${shortId(note.id)} has no applied INSERT in the answers`);
      continue;
    }
    for (const field of ['likes', 'tags', 'title', 'pinned', 'body'] as const) {
      if (field in model && !isDeepStrictEqual(note[field], model[field])) {
        violations.push(`note ${shortId(note.id)}: ${field} is ${JSON.stringify(note[field])}, the model says ${JSON.stringify(model[field])}`);
      }
    }
  }
  return violations;
}

/**
 * 6. Folders: no two live folders share a name, every folder merged away is a
 * tombstone, and no live note is filed in a folder that was merged away.
 */
export function foldersAreMerged(ledger: Ledger, log: PulledChange[]): string[] {
  const truth = stateFromLog(log);
  const violations: string[] = [];
  const records = [...truth.values()];
  const liveFolders = records.filter((r): r is FolderRecord => r.__typename === 'Folder' && !r.deleted);
  const byName = new Map<string, FolderRecord[]>();
  for (const folder of liveFolders) byName.set(folder.name, [...(byName.get(folder.name) ?? []), folder]);
  for (const [folderName, folders] of byName) {
    if (folders.length > 1) violations.push(`live folders ${folders.map((f) => shortId(f.id)).join(', ')} share the name ${JSON.stringify(folderName)}`);
  }
  const mergedAway = new Set<string>();
  for (const r of records) {
    if (r.__typename === 'SyncConflict' && (r as ConflictRecord).kind === 'DUPLICATE_VALUE') mergedAway.add((r as ConflictRecord).entityId);
  }
  for (const answer of ledger.decisions()) {
    if (answer.result.error?.code === 'DUPLICATE_MERGED') mergedAway.add(answer.change.entityId);
  }
  for (const id of mergedAway) {
    if (truth.get(recordKey('Folder', id))?.deleted !== true) violations.push(`folder ${shortId(id)} was merged away but is not a tombstone`);
  }
  for (const r of records) {
    if (r.__typename !== 'Note' || r.deleted) continue;
    const folderId = (r as NoteRecord).folderId;
    if (folderId && mergedAway.has(folderId)) violations.push(`live note ${shortId(r.id)} is filed in ${shortId(folderId)}, which was merged away`);
  }
  return violations;
}

/**
 * 8. Conflicts: every held-back edit is kept as a CONCURRENT_EDIT conflict with
 * the value the user wanted, every merge as a DUPLICATE_VALUE notice naming
 * another folder as survivor, and a settlement the server applied is recorded
 * on the conflict's tombstone with who settled it and the value chosen.
 */
export function conflictsRecorded(ledger: Ledger, log: PulledChange[]): string[] {
  const truth = stateFromLog(log);
  const violations: string[] = [];
  for (const { clientId, change, result } of ledger.decisions()) {
    const key = `${clientId}/${change.mutationId}`;
    const code = result.error?.code;
    if (code === 'CONCURRENT_EDIT' || code === 'DUPLICATE_MERGED') {
      const notice = result.conflicts[0];
      const stored = notice && (truth.get(recordKey('SyncConflict', notice.id)) as ConflictRecord | undefined);
      const expected =
        code === 'CONCURRENT_EDIT'
          ? { kind: 'CONCURRENT_EDIT', entityType: 'Note', entityId: change.entityId, field: 'body', clientValue: change.data!.body }
          : { kind: 'DUPLICATE_VALUE', entityType: 'Folder', entityId: change.entityId, field: 'name', clientValue: change.data!.name };
      if (result.conflicts.length !== 1 || !stored) violations.push(`${key} was answered ${code} with ${result.conflicts.length} conflict(s), stored: ${Boolean(stored)}`);
      else if (Object.entries(expected).some(([field, value]) => !isDeepStrictEqual(stored[field], value))) {
        violations.push(`${key}'s conflict ${shortId(stored.id)} is ${JSON.stringify(stored)}, expected ${JSON.stringify(expected)}`);
      } else if (code === 'DUPLICATE_MERGED' && (!stored.survivorId || stored.survivorId === change.entityId)) {
        violations.push(`${key}'s merge notice names survivor ${shortId(stored.survivorId)}`);
      }
    }
    if (change.entityType === 'SyncConflict' && result.status === 'APPLIED') {
      const settled = truth.get(recordKey('SyncConflict', change.entityId)) as ConflictRecord | undefined;
      const expected = { deleted: true, resolvedBy: clientId, ...(change.op === 'UPDATE' ? { resolvedValue: change.data!.resolvedValue } : {}) };
      if (!settled || Object.entries(expected).some(([field, value]) => !isDeepStrictEqual(settled[field], value))) {
        violations.push(`${key} settled ${shortId(change.entityId)}, which is now ${JSON.stringify(settled)}`);
      }
    }
  }
  return violations;
}

export function allViolations(clients: SimClient[], ledger: Ledger, server: ServerView): string[] {
  const sections: [string, string[]][] = [
    ['1. replicas equal the server', replicasEqualServer(clients, server)],
    ['2-3. every decided change exactly once', exactlyOnce(clients, ledger, server.log)],
    ['4-5-7. counters, add-wins sets and registers match the model', fieldsMatchModel(ledger, server.log)],
    ['6. folders merged', foldersAreMerged(ledger, server.log)],
    ['8. conflicts recorded and settled', conflictsRecorded(ledger, server.log)],
  ];
  return sections
    .filter(([, found]) => found.length > 0)
    .map(([title, found]) => `${title}:\n  - ${found.slice(0, MAX_REPORTED).join('\n  - ')}${found.length > MAX_REPORTED ? `\n  - … ${found.length - MAX_REPORTED} more` : ''}`);
}
