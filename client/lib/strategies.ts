/**
 * The client's mirror of the server's field strategies, from the rules
 * generated out of schema/ (client/generated/sync-strategies.ts): the shape a
 * change must have for each strategy, and the record a change will produce, so
 * the optimistic layer shows what the server will store (a counter's sum, a
 * set sorted and without repeats exactly as the server keeps it).
 *
 * Pure functions, no cache: the cache and the sync client call them.
 */
import { syncRules, type SyncStrategy, type SyncTypeRules } from '../generated/sync-strategies.ts';

export { syncRules, systemFields, type SyncStrategy, type SyncTypeRules, type SyncFieldRule, type DeletePolicy, type DuplicateRule } from '../generated/sync-strategies.ts';

/** The type clients settle rather than write: the server creates its records. */
export const CONFLICT_TYPE = 'SyncConflict';

export type ChangeOp = 'INSERT' | 'UPDATE' | 'DELETE';

/** COUNTER on UPDATE: an increment (negative to decrement). */
export interface CounterUpdate {
  inc: number;
}

/** SET on UPDATE: elements to add and to remove (either may be omitted, not both). */
export interface SetUpdate {
  add?: string[];
  remove?: string[];
}

export function rulesOf(entityType: string): SyncTypeRules | undefined {
  return (syncRules as Record<string, SyncTypeRules>)[entityType];
}

export function strategyOf(entityType: string, field: string): SyncStrategy | undefined {
  return rulesOf(entityType)?.fields[field]?.strategy;
}

/** A set as the server stores it: no repeats, sorted with JS's default sort. */
export function normalizeSet(elements: readonly string[]): string[] {
  return [...new Set(elements)].sort();
}

export function applyCounter(current: unknown, update: CounterUpdate): number {
  return (typeof current === 'number' ? current : 0) + update.inc;
}

export function applySet(current: unknown, update: SetUpdate): string[] {
  const removed = new Set(update.remove ?? []);
  const kept = (Array.isArray(current) ? (current as string[]) : []).filter((e) => !removed.has(e));
  return normalizeSet([...kept, ...(update.add ?? [])]);
}

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((e) => typeof e === 'string');
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Why `value` does not fit the strategy of `entityType.field` for `op`, or null
 * when it does. Only strategy shapes are checked here (COUNTER and SET take
 * other shapes on UPDATE than on INSERT, which is easy to get wrong); plain
 * values are left to the server, which answers a bad one with REJECTED.
 */
export function shapeProblem(entityType: string, op: ChangeOp, field: string, value: unknown): string | null {
  const strategy = strategyOf(entityType, field);
  const name = `${entityType}.${field}`;
  if (strategy === 'COUNTER') {
    if (op === 'INSERT') {
      return Number.isInteger(value) ? null : `${name} is a COUNTER: INSERT it with an integer (its starting value), got ${describe(value)}`;
    }
    if (typeof value === 'number') return `${name} is a COUNTER: update it with { inc: n }, not a plain number (${value})`;
    if (!isPlainObject(value) || !Number.isInteger(value.inc) || Object.keys(value).some((k) => k !== 'inc')) {
      return `${name} is a COUNTER: update it with { inc: n } (n an integer), got ${describe(value)}`;
    }
    return null;
  }
  if (strategy === 'SET') {
    if (op === 'INSERT') {
      return isStringArray(value) ? null : `${name} is a SET: INSERT it with an array of strings, got ${describe(value)}`;
    }
    if (Array.isArray(value)) return `${name} is a SET: update it with { add: [...], remove: [...] }, not a plain array`;
    if (!isPlainObject(value) || Object.keys(value).some((k) => k !== 'add' && k !== 'remove')) {
      return `${name} is a SET: update it with { add: [...], remove: [...] }, got ${describe(value)}`;
    }
    const { add, remove } = value;
    if (add === undefined && remove === undefined) return `${name} is a SET: an update needs add or remove`;
    if ((add !== undefined && !isStringArray(add)) || (remove !== undefined && !isStringArray(remove))) {
      return `${name} is a SET: add and remove are arrays of strings, got ${describe(value)}`;
    }
    const removed = new Set(remove ?? []);
    const both = (add ?? []).find((e) => removed.has(e));
    if (both !== undefined) return `${name}: "${both}" is both added and removed in one update`;
    return null;
  }
  return null;
}

/** Throws a clear Error when a change's data does not fit its fields' strategies (a programming error, never queued). */
export function assertChangeShape(entityType: string, op: ChangeOp, data: Record<string, unknown> | null | undefined): void {
  if (op === 'DELETE' || !data) return;
  const problems = Object.entries(data).flatMap(([field, value]) => shapeProblem(entityType, op, field, value) ?? []);
  if (problems.length) throw new Error(problems.join('; '));
}

/**
 * A record's fields after a change, as the server will store them: COUNTER and
 * SET fields combine with what is shown now (pending changes included), every
 * other field takes the sent value. INSERT fills COUNTER and SET fields the data
 * leaves out with the server's defaults (0, []) and nullable fields with null.
 */
export function applyChangeData(
  entityType: string,
  op: 'INSERT' | 'UPDATE',
  current: Record<string, unknown> | null,
  data: Record<string, unknown>,
): Record<string, unknown> {
  const fields = rulesOf(entityType)?.fields ?? {};
  const next: Record<string, unknown> = op === 'INSERT' ? {} : { ...current };
  if (op === 'INSERT') {
    for (const [field, rule] of Object.entries(fields)) {
      if (rule.strategy === 'COUNTER') next[field] = 0;
      else if (rule.strategy === 'SET') next[field] = [];
      else if (!rule.type.endsWith('!')) next[field] = null;
    }
  }
  for (const [field, value] of Object.entries(data)) {
    const strategy = fields[field]?.strategy;
    if (strategy === 'COUNTER' && op === 'UPDATE' && isPlainObject(value)) next[field] = applyCounter(current?.[field], value as unknown as CounterUpdate);
    else if (strategy === 'SET' && op === 'UPDATE' && isPlainObject(value)) next[field] = applySet(current?.[field], value as SetUpdate);
    else if (strategy === 'SET' && op === 'INSERT' && isStringArray(value)) next[field] = normalizeSet(value);
    else next[field] = value;
  }
  return next;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
