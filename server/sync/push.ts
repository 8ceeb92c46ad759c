/**
 * One push = one transaction: lock the workspace, load what the batch touches in
 * a few set-based reads, decide every change in memory (apply.ts, conflicts.ts,
 * unique.ts), then write the final records, the log entries and the mutation ids
 * in bulk (working-set.ts). Any thrown error rolls the whole batch back; nothing
 * of it is visible until commit.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Transaction, Database } from '../../db/client.ts';
import { clientMutations } from '../../db/schema.ts';
import { ChangeErrorCode } from '../errors.ts';
import { applyChange, type ChangeFailure, type ValidChange } from './apply.ts';
import { raiseHeldFields, settleConflict, settlementTargets } from './conflicts.ts';
import type { EntityRegistry } from './entities.ts';
import { toSnapshot, type RecordSnapshot } from './records.ts';
import { selectWhere } from './table-reads.ts';
import { UniqueRules } from './unique.ts';
import { isValidMutationId, validateChange, type ChangeInputWire } from './validate.ts';
import { chunks, WorkingSet, type EntityRef } from './working-set.ts';

export type ChangeStatus = 'APPLIED' | 'MERGED' | 'CONFLICT' | 'REJECTED' | 'DUPLICATE';

export interface ChangeResultView {
  mutationId: string;
  status: ChangeStatus;
  record: RecordSnapshot | null;
  error: ChangeFailure | null;
  conflictingFields: string[];
  conflicts: RecordSnapshot[];
}

export interface PushOutcome {
  results: ChangeResultView[];
  /** The workspace's log position after this push. */
  lastSeq: number;
  /** How many log entries were written (0: nothing to tell subscribers). */
  written: number;
}

export async function pushChanges(
  db: Database,
  entities: EntityRegistry,
  input: {
    workspaceId: string;
    clientId: string;
    changes: ChangeInputWire[];
    /** An SQL expression evaluated by the push's last write, when it writes anything, given the new position (a NOTIFY). */
    announcement?: (lastSeq: number) => SQL;
  },
): Promise<PushOutcome> {
  const { workspaceId, clientId } = input;
  const validated = input.changes.map((change) => validateChange(change, entities));
  const valid = validated.filter((change): change is ValidChange => !('code' in change));

  return db.transaction(async (tx) => {
    // The first reads are sent behind the lock without waiting for it: one round
    // trip, and PostgreSQL still runs them after the lock is held (see WorkingSet.lock).
    const locked = WorkingSet.lock(tx, entities, workspaceId, clientId);
    const mutationIds = input.changes.map((c) => c.mutationId).filter(isValidMutationId);
    const [ws, applied, rows] = await Promise.all([
      locked,
      loadAppliedMutations(tx, workspaceId, clientId, mutationIds),
      WorkingSet.read(tx, entities, workspaceId, valid.map((change) => ({ entityType: change.entity.name, entityId: change.entityId }))),
    ]);
    ws.adopt(rows);
    const rules = new UniqueRules(entities);
    // A replayed change's record is usually among the batch's own; only the others are read here.
    await ws.load([...applied.values()]);
    await ws.load(settlementTargets(ws, valid));
    await ws.loadHistory(valid);
    await rules.preload(ws, valid);

    const results: ChangeResultView[] = [];
    for (const [index, checked] of validated.entries()) {
      const mutationId = input.changes[index]!.mutationId;
      const prior = applied.get(mutationId);
      if (prior) {
        const record = ws.get(prior.entityType, prior.entityId);
        results.push(result(mutationId, 'DUPLICATE', record && toSnapshot(prior.entityType, record)));
        continue;
      }
      if ('code' in checked) {
        results.push({ ...result(mutationId, 'REJECTED', undefined), error: checked });
        continue;
      }
      const ref = { entityType: checked.entity.name, entityId: checked.entityId };
      const view =
        checked.entity.kind === 'conflict' ? settle(ws, checked, mutationId) : await applyOne(ws, rules, checked, mutationId);
      if (view.written) {
        applied.set(mutationId, ref);
        ws.recordMutation(mutationId, ref);
      }
      results.push(view.result);
    }

    await ws.flush(input.announcement?.(ws.seq));
    return { results, lastSeq: ws.seq, written: ws.seq - ws.startSeq };
  });
}

interface ChangeView {
  result: ChangeResultView;
  /** The change wrote something: its mutation id is now applied. */
  written: boolean;
}

async function applyOne(ws: WorkingSet, rules: UniqueRules, original: ValidChange, mutationId: string): Promise<ChangeView> {
  const change = rules.redirectReferences(original);
  const { entity, entityId } = change;
  const current = ws.get(entity.name, entityId);
  const outcome = applyChange(current, change, (base) => ws.concurrentEdits(entity.name, entityId, base), ws.now);
  if (outcome.kind === 'not-written') {
    const record = outcome.record && toSnapshot(entity.name, outcome.record);
    return { result: { ...result(mutationId, outcome.status, record), error: outcome.error }, written: false };
  }

  // References the record already held may point at a record merged away meanwhile.
  const redirected = outcome.next ? rules.redirectRecord(entity, outcome.next, outcome.changedFields) : null;
  const next = redirected?.record ?? null;
  const changedFields = redirected?.changedFields ?? outcome.changedFields;
  if (next) {
    const taken = rules.findHolder(ws, entity, next, change.op === 'INSERT' || current?.deleted ? [...entity.fields.keys()] : changedFields);
    if (taken) {
      const { tombstone, notice } = await rules.merge(ws, entity, next, changedFields, taken.field, taken.holder, mutationId);
      const error = {
        code: ChangeErrorCode.DUPLICATE_MERGED,
        message: `${entity.name}.${taken.field.name} "${String(next.data[taken.field.name])}" is taken by ${taken.holder.id}; merged into it.`,
      };
      return { result: { ...result(mutationId, 'CONFLICT', tombstone), error, conflicts: [notice] }, written: true };
    }
  }
  const snapshot = next
    ? ws.emit({
        entityType: entity.name,
        // An edit that brings a tombstone back is an UPDATE like any other.
        op: change.op,
        record: next,
        changedFields,
        delta: outcome.delta,
        mutationId,
      })
    : toSnapshot(entity.name, current!);
  const conflicts = raiseHeldFields(ws, mutationId, change, outcome.held);
  return {
    result: {
      ...result(mutationId, outcome.status, snapshot),
      error: outcome.notice,
      conflictingFields: outcome.conflictingFields,
      conflicts,
    },
    written: true,
  };
}

function settle(ws: WorkingSet, change: ValidChange, mutationId: string): ChangeView {
  const outcome = settleConflict(ws, change, mutationId);
  if (outcome.kind === 'not-settled') {
    const record = outcome.record && toSnapshot(change.entity.name, outcome.record);
    return { result: { ...result(mutationId, outcome.status, record), error: outcome.error }, written: false };
  }
  return { result: result(mutationId, 'APPLIED', outcome.conflict), written: true };
}

function result(mutationId: string, status: ChangeStatus, record: RecordSnapshot | undefined): ChangeResultView {
  return { mutationId, status, record: record ?? null, error: null, conflictingFields: [], conflicts: [] };
}

async function loadAppliedMutations(tx: Transaction, workspaceId: string, clientId: string, mutationIds: string[]) {
  const applied = new Map<string, EntityRef>();
  for (const ids of chunks([...new Set(mutationIds)])) {
    const condition = sql`${clientMutations.clientId} = ${clientId} and ${clientMutations.mutationId} in ${ids}`;
    for (const row of await selectWhere(tx, clientMutations, workspaceId, condition)) {
      applied.set(row.mutationId as string, { entityType: row.entityType as string, entityId: row.entityId as string });
    }
  }
  return applied;
}
