/**
 * What one change does to one record: a pure function of the record's current
 * state, the change, and what other clients did to the record since the change's
 * base version. No I/O, so every conflict rule is testable on its own.
 *
 * Outcomes are data (Zero's rule): an expected situation such as a deleted
 * record or a concurrent edit is a result, never an exception.
 *
 * The per-field strategies (schema/sync.graphql, SyncStrategy):
 *   MERGE    set; overwriting another client's concurrent edit is reported
 *   LWW      set; arrival order decides silently
 *   COUNTER  add the increment
 *   SET      add, and remove what the client had seen (add wins)
 *   MANUAL   set, unless another client changed it concurrently: then held back
 */
import { ChangeErrorCode } from '../errors.ts';
import type { EntityType } from './entities.ts';
import type { RecordState } from './records.ts';
import { normalizeSet, type CounterOperation, type LoggedSetOperation, type SetOperation } from './validate.ts';

export type ChangeOp = 'INSERT' | 'UPDATE' | 'DELETE';

/** A change that passed validation: known type, well-formed id, coerced field values. */
export interface ValidChange {
  entity: EntityType;
  entityId: string;
  op: ChangeOp;
  /** INSERT: every field's value. UPDATE: the changed fields (COUNTER and SET fields as operations). */
  data: Record<string, unknown>;
  baseVersion: number | null;
}

export interface ChangeFailure {
  code: ChangeErrorCode;
  message: string;
}

/** A MANUAL field's edit that was not applied because another client changed the field concurrently. */
export interface HeldField {
  field: string;
  serverValue: unknown;
  clientValue: unknown;
}

export type ApplyOutcome =
  | {
      kind: 'written';
      status: 'APPLIED' | 'MERGED' | 'CONFLICT';
      /** The record after the change; null when every field of it was held back. */
      next: RecordState | null;
      changedFields: string[];
      conflictingFields: string[];
      /** COUNTER and SET operations as applied, for the log (add-wins needs later removes to see them). */
      delta: Record<string, CounterOperation | LoggedSetOperation> | null;
      held: HeldField[];
      /** Set when the change did more than apply: CONCURRENT_EDIT (held fields), RECORD_RESURRECTED. */
      notice: ChangeFailure | null;
    }
  | { kind: 'not-written'; status: 'CONFLICT' | 'REJECTED'; record: RecordState | undefined; error: ChangeFailure };

/** What other clients did to a record in the versions after a change's base version. */
export interface ConcurrentEdits {
  /** Data fields they changed. */
  fields: ReadonlySet<string>;
  /**
   * Per SET field, the elements they added that are still in the set by that add
   * (no later remove that had seen the add took it away): a remove that had not
   * seen such an add leaves the element in (add wins, as an OR-Set).
   */
  unseenAdds: ReadonlyMap<string, ReadonlySet<string>>;
  /** They deleted the record. */
  deleted: boolean;
}

/**
 * Other clients' edits after `baseVersion`, or 'unknown' when that history is no
 * longer available (compacted away). Then every field counts as concurrently
 * changed and nothing is lost: MANUAL fields are held back, MERGE fields are
 * reported, a SET remove takes nothing away, an EDIT_RESURRECTS delete is refused
 * and an edit of its tombstone brings the record back.
 */
export type ConcurrentLookup = (baseVersion: number) => ConcurrentEdits | 'unknown';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export function applyChange(
  current: RecordState | undefined,
  change: ValidChange,
  concurrentLookup: ConcurrentLookup,
  now: Date,
): ApplyOutcome {
  const typeName = change.entity.name;
  const fail = (status: 'CONFLICT' | 'REJECTED', code: ChangeErrorCode, message: string): ApplyOutcome => ({
    kind: 'not-written',
    status,
    record: current,
    error: { code, message },
  });

  if (change.op === 'INSERT') {
    if (current?.deleted) {
      return fail('CONFLICT', ChangeErrorCode.RECORD_DELETED, `${typeName} ${change.entityId} was deleted; ids are never reused.`);
    }
    if (current) return fail('REJECTED', ChangeErrorCode.RECORD_EXISTS, `${typeName} ${change.entityId} already exists.`);
    return {
      kind: 'written',
      status: 'APPLIED',
      next: { id: change.entityId, version: 1, updatedAt: now, deleted: false, data: { ...change.data } },
      changedFields: Object.keys(change.data),
      conflictingFields: [],
      delta: null,
      held: [],
      notice: null,
    };
  }

  if (!current) return fail('REJECTED', ChangeErrorCode.RECORD_NOT_FOUND, `${typeName} ${change.entityId} does not exist.`);
  if (change.baseVersion !== null && change.baseVersion > current.version) {
    return fail(
      'REJECTED',
      ChangeErrorCode.INVALID_BASE_VERSION,
      `baseVersion ${change.baseVersion} is newer than the server's version ${current.version}.`,
    );
  }
  const concurrent =
    change.baseVersion === null || change.baseVersion === current.version ? undefined : concurrentLookup(change.baseVersion);
  const resurrects = editResurrects(current, change, concurrent);
  if (current.deleted && !resurrects) {
    // A tombstone stays a tombstone: reported, never resurrected by a late edit unless the type says so.
    return fail('CONFLICT', ChangeErrorCode.RECORD_DELETED, `${typeName} ${change.entityId} was deleted at version ${current.version}.`);
  }

  if (change.op === 'DELETE') {
    const editedByOthers = concurrent === 'unknown' || (concurrent !== undefined && concurrent.fields.size > 0);
    if (change.entity.onConcurrentDelete === 'EDIT_RESURRECTS' && editedByOthers) {
      return fail(
        'CONFLICT',
        ChangeErrorCode.RECORD_EDITED,
        `${typeName} ${change.entityId} was edited by another client after version ${change.baseVersion}; the edit wins. Delete it again to delete it.`,
      );
    }
    return {
      kind: 'written',
      status: 'APPLIED',
      next: { ...current, version: current.version + 1, updatedAt: now, deleted: true },
      changedFields: [],
      conflictingFields: [],
      delta: null,
      held: [],
      notice: null,
    };
  }

  const changedByOthers = (field: string) => concurrent === 'unknown' || (concurrent?.fields.has(field) ?? false);
  const data = { ...current.data };
  const changedFields: string[] = [];
  const conflictingFields: string[] = [];
  const held: HeldField[] = [];
  const delta: Record<string, CounterOperation | LoggedSetOperation> = {};

  for (const [name, value] of Object.entries(change.data)) {
    const field = change.entity.fields.get(name)!;
    switch (field.strategy) {
      case 'COUNTER': {
        const { inc } = value as CounterOperation;
        const total = (data[name] as number) + inc;
        if (total < INT32_MIN || total > INT32_MAX) {
          return fail('REJECTED', ChangeErrorCode.INVALID_FIELD_VALUE, `${typeName}.${name}: ${total} is outside the Int range.`);
        }
        data[name] = total;
        delta[name] = { inc };
        break;
      }
      case 'SET': {
        const { add, remove } = value as SetOperation;
        // With the history compacted away, any element may be another client's add
        // this remove had not seen: add wins, so it takes nothing away.
        const unseen =
          concurrent === 'unknown' ? new Set(data[name] as string[]) : concurrent === undefined ? undefined : concurrent.unseenAdds.get(name);
        const elements = new Set(data[name] as string[]);
        for (const element of remove) if (!unseen?.has(element)) elements.delete(element);
        for (const element of add) elements.add(element);
        data[name] = normalizeSet([...elements]);
        // The base goes into the log: a later remove needs to know which adds this one had seen.
        delta[name] = { add, remove, base: change.baseVersion ?? current.version };
        break;
      }
      case 'MANUAL':
        if (changedByOthers(name) && !sameValue(data[name], value)) {
          held.push({ field: name, serverValue: data[name], clientValue: value });
          continue;
        }
        data[name] = value;
        break;
      case 'MERGE':
        if (changedByOthers(name)) conflictingFields.push(name);
        data[name] = value;
        break;
      case 'LWW':
        data[name] = value;
        break;
    }
    changedFields.push(name);
  }

  const mergedOverOthers = concurrent === 'unknown' || (concurrent !== undefined && (concurrent.fields.size > 0 || concurrent.deleted));
  const written = changedFields.length > 0 || resurrects;
  return {
    kind: 'written',
    status: held.length > 0 ? 'CONFLICT' : mergedOverOthers ? 'MERGED' : 'APPLIED',
    next: written ? { ...current, version: current.version + 1, updatedAt: now, deleted: false, data } : null,
    changedFields,
    conflictingFields,
    delta: Object.keys(delta).length > 0 ? delta : null,
    held,
    notice: held.length
      ? {
          code: ChangeErrorCode.CONCURRENT_EDIT,
          message: `${held.map((h) => `${typeName}.${h.field}`).join(', ')} changed on the server since version ${change.baseVersion}; kept both versions in a SyncConflict to settle.`,
        }
      : resurrects
        ? { code: ChangeErrorCode.RECORD_RESURRECTED, message: `${typeName} ${change.entityId} was deleted concurrently; this edit brought it back.` }
        : null,
  };
}

/** EDIT_RESURRECTS: an edit made without seeing another client's delete undoes the delete. */
function editResurrects(current: RecordState, change: ValidChange, concurrent: ConcurrentEdits | 'unknown' | undefined): boolean {
  if (!current.deleted || change.op !== 'UPDATE' || change.entity.onConcurrentDelete !== 'EDIT_RESURRECTS') return false;
  return concurrent === 'unknown' || (concurrent?.deleted ?? false);
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
