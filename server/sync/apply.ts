/**
 * What one change does to one record: a pure function of the record's current
 * state, the change, and which fields others changed since the change's base
 * version. No I/O, so every conflict rule is testable on its own.
 *
 * Outcomes are data (Zero's rule): an expected situation such as a deleted
 * record or a stale base version is a result, never an exception.
 */
import { ChangeErrorCode } from '../errors.ts';
import type { EntityType } from './entities.ts';
import type { RecordState } from './records.ts';

export type ChangeOp = 'INSERT' | 'UPDATE' | 'DELETE';

/** A change that passed validation: known type, well-formed id, coerced field values. */
export interface ValidChange {
  entity: EntityType;
  entityId: string;
  op: ChangeOp;
  data: Record<string, unknown>;
  baseVersion: number | null;
}

export interface ChangeFailure {
  code: ChangeErrorCode;
  message: string;
}

export type ApplyOutcome =
  | {
      kind: 'written';
      status: 'APPLIED' | 'MERGED';
      next: RecordState;
      changedFields: string[];
      conflictingFields: string[];
    }
  | { kind: 'not-written'; status: 'CONFLICT' | 'REJECTED'; record: RecordState | undefined; error: ChangeFailure };

/**
 * Fields other clients changed on the record in versions after `baseVersion`, or
 * 'unknown' when that history is no longer available (then every field counts).
 */
export type ConcurrentFields = (baseVersion: number) => ReadonlySet<string> | 'unknown';

export function applyChange(
  current: RecordState | undefined,
  change: ValidChange,
  concurrentFields: ConcurrentFields,
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
    };
  }

  if (!current) return fail('REJECTED', ChangeErrorCode.RECORD_NOT_FOUND, `${typeName} ${change.entityId} does not exist.`);
  if (current.deleted) {
    // A tombstone stays a tombstone: reported, never resurrected by a late edit.
    return fail('CONFLICT', ChangeErrorCode.RECORD_DELETED, `${typeName} ${change.entityId} was deleted at version ${current.version}.`);
  }
  if (change.baseVersion !== null && change.baseVersion > current.version) {
    return fail(
      'REJECTED',
      ChangeErrorCode.INVALID_BASE_VERSION,
      `baseVersion ${change.baseVersion} is newer than the server's version ${current.version}.`,
    );
  }

  if (change.op === 'DELETE') {
    return {
      kind: 'written',
      status: 'APPLIED',
      next: { ...current, version: current.version + 1, updatedAt: now, deleted: true },
      changedFields: [],
      conflictingFields: [],
    };
  }

  const fields = Object.keys(change.data);
  const concurrent =
    change.baseVersion === null || change.baseVersion === current.version ? undefined : concurrentFields(change.baseVersion);
  const conflictingFields = concurrent
    ? fields.filter((name) => {
        const changedByOthers = concurrent === 'unknown' || concurrent.has(name);
        // LWW fields win silently by design; MERGE fields report that they overwrote someone.
        return changedByOthers && change.entity.fields.get(name)?.strategy !== 'LWW';
      })
    : [];
  const mergedOverOthers = concurrent === 'unknown' || (concurrent !== undefined && concurrent.size > 0);
  return {
    kind: 'written',
    status: mergedOverOthers ? 'MERGED' : 'APPLIED',
    next: { ...current, version: current.version + 1, updatedAt: now, data: { ...current.data, ...change.data } },
    changedFields: fields,
    conflictingFields,
  };
}
