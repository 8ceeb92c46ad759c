/**
 * The registry of synced entity types, derived rather than written by hand:
 * every GraphQL object type implementing SyncRecord in schema/, paired with the
 * drizzle table of the same name in db/schema.ts. Adding a synced type is one SDL
 * declaration plus one table; push, pull and subscriptions need no new code.
 *
 * The pairing is checked field by field at start, so a mismatch fails fast
 * instead of failing a client's push later.
 */
import {
  coerceInputValue,
  isInputType,
  isNonNullType,
  isObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { getTableColumns } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { SYSTEM_FIELDS } from './records.ts';

export type FieldStrategy = 'MERGE' | 'LWW';

export interface EntityField {
  name: string;
  type: GraphQLInputType;
  required: boolean;
  strategy: FieldStrategy;
  column: PgColumn;
}

export interface EntityType {
  name: string;
  table: PgTable;
  /** Data fields (everything but the SyncRecord fields), in declaration order. */
  fields: ReadonlyMap<string, EntityField>;
}

export type EntityRegistry = ReadonlyMap<string, EntityType>;

const SYNC_INTERFACE = 'SyncRecord';
const DEFAULT_STRATEGY: FieldStrategy = 'MERGE';

export function buildEntityRegistry(schema: GraphQLSchema, tables: Record<string, PgTable>): EntityRegistry {
  const syncInterface = schema.getType(SYNC_INTERFACE);
  if (!syncInterface || !('getFields' in syncInterface)) throw new Error(`schema has no ${SYNC_INTERFACE} interface`);
  const registry = new Map<string, EntityType>();
  const problems: string[] = [];

  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || !type.getInterfaces().some((i) => i.name === SYNC_INTERFACE)) continue;
    const table = tables[type.name];
    if (!table) {
      problems.push(`${type.name}: no drizzle table in db/schema.ts syncedTables`);
      continue;
    }
    const columns = getTableColumns(table) as Record<string, PgColumn>;
    const fields = new Map<string, EntityField>();
    for (const field of Object.values(type.getFields())) {
      if ((SYSTEM_FIELDS as readonly string[]).includes(field.name)) continue;
      const column = columns[field.name];
      if (!column) {
        problems.push(`${type.name}.${field.name}: no column "${field.name}" in its table`);
        continue;
      }
      if (!isInputType(field.type)) {
        problems.push(`${type.name}.${field.name}: only scalar, enum and list fields can be synced`);
        continue;
      }
      const required = isNonNullType(field.type);
      if (required !== column.notNull) {
        problems.push(`${type.name}.${field.name}: nullability differs between GraphQL and the column`);
      }
      fields.set(field.name, {
        name: field.name,
        type: field.type,
        required,
        strategy: readStrategy(field.astNode?.directives) ?? DEFAULT_STRATEGY,
        column,
      });
    }
    for (const key of Object.keys(columns)) {
      if (key !== 'workspaceId' && !fields.has(key) && !(SYSTEM_FIELDS as readonly string[]).includes(key)) {
        problems.push(`${type.name}: column "${key}" has no field in the GraphQL type`);
      }
    }
    registry.set(type.name, { name: type.name, table, fields });
  }
  for (const name of Object.keys(tables)) {
    if (!registry.has(name)) problems.push(`${name}: table has no GraphQL type implementing ${SYNC_INTERFACE}`);
  }
  if (problems.length) throw new Error(`synced entities do not match their tables:\n  ${problems.join('\n  ')}`);
  return registry;
}

function readStrategy(directives: readonly { name: { value: string }; arguments?: readonly any[] }[] | undefined) {
  const sync = directives?.find((d) => d.name.value === 'sync');
  const arg = sync?.arguments?.find((a) => a.name.value === 'strategy');
  return arg?.value?.kind === 'EnumValue' ? (arg.value.value as FieldStrategy) : undefined;
}

/** Coerces a JSON value for a field with GraphQL's own input rules. Returns an error message on failure. */
export function coerceFieldValue(field: EntityField, value: unknown): { value: unknown } | { error: string } {
  let message: string | undefined;
  const coerced = coerceInputValue(value, field.type, (_path, _invalid, error) => {
    message ??= error.message;
  });
  return message === undefined ? { value: coerced } : { error: message };
}
