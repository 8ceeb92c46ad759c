/**
 * Which outcomes the generated cases actually reached, over a whole run: a
 * property that never produced a concurrent edit or a merge proves nothing
 * about them, so the test requires that each was reached at least once.
 */
import { effectOf, type Ledger } from './ledger.ts';

/** Outcomes a normal run must reach: each is a rule of the contract exercised at least once. */
export const REQUIRED_OUTCOMES = [
  'APPLIED',
  'MERGED',
  'DUPLICATE',
  'CONFLICT CONCURRENT_EDIT',
  'CONFLICT DUPLICATE_MERGED',
  'CONFLICT RECORD_DELETED',
  'CONFLICT RECORD_EDITED',
  'MERGED RECORD_RESURRECTED',
  'APPLIED SyncConflict',
  'SET remove met a concurrent add',
] as const;

export class Coverage {
  readonly counts = new Map<string, number>();

  add(ledger: Ledger): void {
    for (const { change, result } of ledger.answers) {
      this.bump(result.status);
      if (result.error) this.bump(`${result.status} ${result.error.code}`);
      if (change.entityType === 'SyncConflict') this.bump(`${result.status} SyncConflict`);
    }
    for (let n = concurrentAddRemoves(ledger); n > 0; n--) this.bump('SET remove met a concurrent add');
  }

  missing(): string[] {
    return REQUIRED_OUTCOMES.filter((outcome) => !this.counts.has(outcome));
  }

  toString(): string {
    return [...this.counts].sort(([a], [b]) => a.localeCompare(b)).map(([outcome, n]) => `${outcome}: ${n}`).join(', ');
  }

  private bump(outcome: string): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
  }
}

/** Removes of a tag that another client had added in a version the remove had not seen: where add-wins decides. */
function concurrentAddRemoves(ledger: Ledger): number {
  const adds: { note: string; element: string; version: number; clientId: string }[] = [];
  let count = 0;
  for (const { clientId, change, result } of ledger.decisions()) {
    if (change.entityType !== 'Note' || effectOf(result) === 'none' || !change.data) continue;
    const version = result.record!.version;
    const tags = change.data.tags as string[] | { add?: string[]; remove?: string[] } | undefined;
    if (!tags) continue;
    const added = Array.isArray(tags) ? tags : (tags.add ?? []);
    const removed = Array.isArray(tags) ? [] : (tags.remove ?? []);
    const base = change.baseVersion ?? Number.POSITIVE_INFINITY;
    for (const element of removed) {
      if (adds.some((a) => a.note === change.entityId && a.element === element && a.clientId !== clientId && a.version > base)) count++;
    }
    for (const element of added) adds.push({ note: change.entityId, element, version, clientId });
  }
  return count;
}
