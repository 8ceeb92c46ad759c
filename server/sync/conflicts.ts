/**
 * Conflicts as records. A MANUAL field's concurrent edit and a merged @unique
 * duplicate each become a SyncConflict written through the same log as any
 * record, so every client of the workspace learns of it by pull or subscription.
 * Settling one is a client change to it (UPDATE {resolvedValue} or DELETE), so it
 * is ordered, idempotent and synced like any other; the first settlement wins.
 */
import { randomUUID } from 'node:crypto';
import { ChangeErrorCode } from '../errors.ts';
import type { ChangeFailure, HeldField, ValidChange } from './apply.ts';
import { CONFLICT_TYPE, coerceFieldValue } from './entities.ts';
import type { RecordSnapshot, RecordState } from './records.ts';
import type { WorkingSet } from './working-set.ts';

export type ConflictKind = 'CONCURRENT_EDIT' | 'DUPLICATE_VALUE';

export interface ConflictData {
  kind: ConflictKind;
  entityType: string;
  entityId: string;
  field: string;
  serverValue: unknown;
  clientValue: unknown;
  survivorId: string | null;
  clientId: string | null;
  resolved: boolean;
  resolvedValue: unknown;
  resolvedBy: string | null;
}

/** Writes a new SyncConflict as part of the change `mutationId`. */
export function raiseConflict(
  ws: WorkingSet,
  mutationId: string,
  conflict: Omit<ConflictData, 'clientId' | 'resolvedBy'>,
): RecordSnapshot {
  const data: ConflictData = { ...conflict, clientId: ws.clientId, resolvedBy: null };
  return ws.emit({
    entityType: CONFLICT_TYPE,
    op: 'INSERT',
    record: { id: randomUUID(), version: 1, updatedAt: ws.now, deleted: false, data: { ...data } },
    changedFields: Object.keys(data),
    mutationId,
  });
}

export function raiseHeldFields(ws: WorkingSet, mutationId: string, change: ValidChange, held: HeldField[]): RecordSnapshot[] {
  return held.map((h) =>
    raiseConflict(ws, mutationId, {
      kind: 'CONCURRENT_EDIT',
      entityType: change.entity.name,
      entityId: change.entityId,
      field: h.field,
      serverValue: h.serverValue,
      clientValue: h.clientValue,
      survivorId: null,
      resolved: false,
      resolvedValue: null,
    }),
  );
}

export type SettleOutcome =
  | { kind: 'settled'; conflict: RecordSnapshot }
  | { kind: 'not-settled'; status: 'CONFLICT' | 'REJECTED'; record: RecordState | undefined; error: ChangeFailure };

/**
 * Settles a conflict. UPDATE {resolvedValue}: the conflicted field takes the value
 * (a plain write from the current version: the user saw both sides). DELETE: the
 * record stays as it is. Either way the conflict becomes a tombstone.
 * The conflict and its record must be loaded.
 */
export function settleConflict(ws: WorkingSet, change: ValidChange, mutationId: string): SettleOutcome {
  const conflict = ws.get(CONFLICT_TYPE, change.entityId);
  const notSettled = (status: 'CONFLICT' | 'REJECTED', code: ChangeErrorCode, message: string): SettleOutcome => ({
    kind: 'not-settled',
    status,
    record: conflict,
    error: { code, message },
  });
  if (!conflict) return notSettled('REJECTED', ChangeErrorCode.RECORD_NOT_FOUND, `${CONFLICT_TYPE} ${change.entityId} does not exist.`);
  if (conflict.deleted) {
    const by = conflict.data.resolvedBy ? ` by client ${String(conflict.data.resolvedBy)}` : '';
    return notSettled('CONFLICT', ChangeErrorCode.CONFLICT_SETTLED, `${CONFLICT_TYPE} ${change.entityId} was already settled${by}.`);
  }
  const data = conflict.data as unknown as ConflictData;
  const target = ws.get(data.entityType, data.entityId);
  let resolvedValue: unknown = data.kind === 'CONCURRENT_EDIT' ? (target?.data[data.field] ?? null) : data.resolvedValue;

  if (change.op === 'UPDATE') {
    if (data.kind !== 'CONCURRENT_EDIT') {
      return notSettled('REJECTED', ChangeErrorCode.INVALID_CHANGE, `A ${data.kind} conflict was settled by the server; dismiss it with DELETE.`);
    }
    const field = ws.entities.get(data.entityType)?.fields.get(data.field);
    const coerced = field ? coerceFieldValue(field, change.data.resolvedValue) : { error: 'the field no longer exists' };
    if ('error' in coerced) {
      return notSettled('REJECTED', ChangeErrorCode.INVALID_FIELD_VALUE, `${data.entityType}.${data.field}: ${coerced.error}`);
    }
    resolvedValue = coerced.value;
    // A record deleted meanwhile stays deleted (its type's delete policy had its say when it was deleted).
    if (target && !target.deleted) {
      ws.emit({
        entityType: data.entityType,
        op: 'UPDATE',
        record: { ...target, version: target.version + 1, updatedAt: ws.now, data: { ...target.data, [data.field]: resolvedValue } },
        changedFields: [data.field],
        mutationId,
      });
    }
  }

  const settled = ws.emit({
    entityType: CONFLICT_TYPE,
    op: 'DELETE',
    record: {
      ...conflict,
      version: conflict.version + 1,
      updatedAt: ws.now,
      deleted: true,
      data: { ...conflict.data, resolved: true, resolvedValue, resolvedBy: ws.clientId },
    },
    changedFields: [],
    mutationId,
  });
  return { kind: 'settled', conflict: settled };
}

/** The records settling these conflicts will touch. */
export function settlementTargets(ws: WorkingSet, changes: ValidChange[]) {
  return changes
    .filter((change) => change.entity.kind === 'conflict')
    .map((change) => ws.get(CONFLICT_TYPE, change.entityId))
    .filter((conflict): conflict is RecordState => conflict !== undefined)
    .map((conflict) => ({ entityType: conflict.data.entityType as string, entityId: conflict.data.entityId as string }));
}
