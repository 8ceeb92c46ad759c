/**
 * Turns a ChangeInput from the wire into a ValidChange, or says precisely why it
 * cannot be one. Runs before any database work, so a bad change costs nothing
 * and never reaches SQL.
 */
import { ChangeErrorCode } from '../errors.ts';
import type { ChangeFailure, ChangeOp, ValidChange } from './apply.ts';
import { coerceFieldValue, type EntityRegistry } from './entities.ts';
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
    const coerced = coerceFieldValue(field, raw);
    if ('error' in coerced) {
      return fail(ChangeErrorCode.INVALID_FIELD_VALUE, `${entity.name}.${name}: ${coerced.error}`);
    }
    data[name] = coerced.value;
  }

  if (input.op === 'INSERT') {
    for (const field of entity.fields.values()) {
      if (field.name in data) continue;
      if (field.required) return fail(ChangeErrorCode.MISSING_FIELD, `INSERT of ${entity.name} needs "${field.name}".`);
      data[field.name] = null;
    }
  } else if (Object.keys(data).length === 0) {
    return fail(ChangeErrorCode.INVALID_CHANGE, 'UPDATE needs at least one changed field.');
  }
  return { entity, entityId, op: input.op, data, baseVersion };
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
