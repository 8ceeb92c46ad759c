/**
 * Turns a ChangeInput from the wire into a ValidChange, or says precisely why it
 * cannot be one. Runs before any database work, so a bad change costs nothing
 * and never reaches SQL.
 */
import { ChangeErrorCode } from '../errors.ts';
import type { ChangeFailure, ChangeOp, ValidChange } from './apply.ts';
import { coerceFieldValue, defaultValue, type EntityField, type EntityRegistry, type EntityType } from './entities.ts';
import { SYSTEM_FIELDS } from './records.ts';

export interface ChangeInputWire {
  mutationId: string;
  entityType: string;
  entityId: string;
  op: ChangeOp;
  data?: unknown;
  baseVersion?: number | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_MUTATION_ID_LENGTH = 255;
/** Fields a client may echo back in INSERT data without meaning anything by it. */
const IGNORED_FIELDS = new Set(['__typename']);

export function isValidMutationId(mutationId: string): boolean {
  return mutationId.length > 0 && mutationId.length <= MAX_MUTATION_ID_LENGTH;
}

export function validateChange(input: ChangeInputWire, entities: EntityRegistry): ValidChange | ChangeFailure {
  const fail = (code: ChangeErrorCode, message: string): ChangeFailure => ({ code, message });

  if (!isValidMutationId(input.mutationId)) {
    return fail(ChangeErrorCode.INVALID_MUTATION_ID, `mutationId must be 1 to ${MAX_MUTATION_ID_LENGTH} characters.`);
  }
  const entity = entities.get(input.entityType);
  if (!entity) {
    return fail(
      ChangeErrorCode.UNKNOWN_ENTITY_TYPE,
      `"${truncate(input.entityType)}" is not a synced type. Known: ${[...entities.keys()].join(', ')}.`,
    );
  }
  if (!UUID.test(input.entityId)) return fail(ChangeErrorCode.INVALID_ID, 'entityId must be a UUID.');
  const entityId = input.entityId.toLowerCase();
  const baseVersion = input.baseVersion ?? null;
  if (baseVersion !== null && baseVersion < 1) {
    return fail(ChangeErrorCode.INVALID_BASE_VERSION, 'baseVersion must be 1 or more (versions start at 1).');
  }

  if (entity.kind === 'conflict') return validateSettlement(input, entity, entityId, baseVersion);

  if (input.op === 'DELETE') {
    if (input.data !== undefined && input.data !== null) {
      return fail(ChangeErrorCode.INVALID_CHANGE, 'DELETE carries no data.');
    }
    return { entity, entityId, op: 'DELETE', data: {}, baseVersion };
  }

  if (typeof input.data !== 'object' || input.data === null || Array.isArray(input.data)) {
    return fail(ChangeErrorCode.INVALID_CHANGE, `${input.op} needs data: a JSON object of field values.`);
  }
  if (input.op === 'INSERT' && baseVersion !== null) {
    return fail(ChangeErrorCode.INVALID_BASE_VERSION, 'INSERT creates version 1 and takes no baseVersion.');
  }

  const data: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(input.data)) {
    if (IGNORED_FIELDS.has(name)) continue;
    if (name === 'id' && input.op === 'INSERT' && typeof raw === 'string' && raw.toLowerCase() === entityId) continue;
    if ((SYSTEM_FIELDS as readonly string[]).includes(name)) {
      return fail(ChangeErrorCode.READ_ONLY_FIELD, `${entity.name}.${name} is set by the server.`);
    }
    const field = entity.fields.get(name);
    if (!field) return fail(ChangeErrorCode.UNKNOWN_FIELD, `${entity.name} has no field "${truncate(name)}".`);
    const coerced =
      input.op === 'UPDATE' && (field.strategy === 'COUNTER' || field.strategy === 'SET')
        ? coerceOperation(field, raw)
        : coerceFieldValue(field, raw);
    if ('error' in coerced) {
      return fail(ChangeErrorCode.INVALID_FIELD_VALUE, `${entity.name}.${name}: ${coerced.error}`);
    }
    data[name] = field.strategy === 'SET' && input.op === 'INSERT' ? normalizeSet(coerced.value as string[]) : coerced.value;
  }

  if (input.op === 'INSERT') {
    for (const field of entity.fields.values()) {
      if (field.name in data) continue;
      if (field.required && defaultValue(field) === null) {
        return fail(ChangeErrorCode.MISSING_FIELD, `INSERT of ${entity.name} needs "${field.name}".`);
      }
      data[field.name] = defaultValue(field);
    }
  } else if (Object.keys(data).length === 0) {
    return fail(ChangeErrorCode.INVALID_CHANGE, 'UPDATE needs at least one changed field.');
  }
  return { entity, entityId, op: input.op, data, baseVersion };
}

/** A counter increment or a set's adds and removes, as an UPDATE of a COUNTER or SET field carries them. */
export type CounterOperation = { inc: number };
export type SetOperation = { add: string[]; remove: string[] };
/** A SET operation as the log keeps it: with the version its client had seen. */
export type LoggedSetOperation = SetOperation & { base?: number };

const INT32_MAX = 2 ** 31 - 1;

function coerceOperation(field: EntityField, raw: unknown): { value: CounterOperation | SetOperation } | { error: string } {
  const isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
  const keys = isObject ? Object.keys(raw) : [];
  if (field.strategy === 'COUNTER') {
    const inc = isObject ? (raw as { inc?: unknown }).inc : undefined;
    if (keys.length !== 1 || !Number.isInteger(inc) || Math.abs(inc as number) > INT32_MAX) {
      return { error: 'a COUNTER is changed by an increment, {"inc": n} with n an Int (negative to decrement), never set.' };
    }
    return { value: { inc: inc as number } };
  }
  const { add = [], remove = [] } = (isObject ? raw : {}) as { add?: unknown; remove?: unknown };
  const elements = (list: unknown) => Array.isArray(list) && list.every((e) => typeof e === 'string');
  if (!isObject || keys.length === 0 || keys.some((k) => k !== 'add' && k !== 'remove') || !elements(add) || !elements(remove)) {
    return { error: 'a SET is changed by {"add": [...], "remove": [...]} (lists of strings), never replaced.' };
  }
  const removed = new Set(remove as string[]);
  const both = (add as string[]).find((e) => removed.has(e));
  if (both !== undefined) return { error: `"${truncate(both)}" is both added and removed in one change.` };
  return { value: { add: normalizeSet(add as string[]), remove: normalizeSet(remove as string[]) } };
}

/** Sets are kept sorted and without repeats, so every replica stores the same list. */
export function normalizeSet(elements: readonly string[]): string[] {
  return [...new Set(elements)].sort();
}

/**
 * A change to a SyncConflict settles it: UPDATE {resolvedValue} writes the value,
 * DELETE keeps the record as it is. Only the server creates conflicts. The value is
 * checked against the conflicted field's type once the conflict is loaded (push.ts).
 */
function validateSettlement(
  input: ChangeInputWire,
  entity: EntityType,
  entityId: string,
  baseVersion: number | null,
): ValidChange | ChangeFailure {
  if (input.op === 'INSERT') {
    return { code: ChangeErrorCode.READ_ONLY_ENTITY, message: `${entity.name} records are created by the server only.` };
  }
  if (input.op === 'DELETE') {
    if (input.data !== undefined && input.data !== null) return { code: ChangeErrorCode.INVALID_CHANGE, message: 'DELETE carries no data.' };
    return { entity, entityId, op: 'DELETE', data: {}, baseVersion };
  }
  const data = input.data;
  const keys = typeof data === 'object' && data !== null && !Array.isArray(data) ? Object.keys(data) : [];
  const other = keys.find((key) => key !== 'resolvedValue' && key !== '__typename');
  if (other !== undefined) {
    return { code: ChangeErrorCode.READ_ONLY_FIELD, message: `${entity.name}.${truncate(other)} is set by the server; send {"resolvedValue": value}.` };
  }
  if (!keys.includes('resolvedValue')) {
    return { code: ChangeErrorCode.INVALID_CHANGE, message: `An UPDATE of a ${entity.name} needs {"resolvedValue": value}.` };
  }
  return { entity, entityId, op: 'UPDATE', data: { resolvedValue: (data as { resolvedValue: unknown }).resolvedValue }, baseVersion };
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
