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
  getNamedType,
  isInputType,
  isListType,
  isNonNullType,
  isObjectType,
  type ConstDirectiveNode,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { getTableColumns } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { SYSTEM_FIELDS } from './records.ts';

export type FieldStrategy = 'MERGE' | 'LWW' | 'COUNTER' | 'SET' | 'MANUAL';
export type DeletePolicy = 'DELETE_WINS' | 'EDIT_RESURRECTS';
export type DuplicateRule = 'MERGE';

export interface EntityField {
  name: string;
  type: GraphQLInputType;
  required: boolean;
  strategy: FieldStrategy;
  /** @unique: how a value already held by another live record is settled. */
  unique: DuplicateRule | null;
  /** @references: the synced type whose ids this field holds. */
  references: string | null;
  column: PgColumn;
}

export interface EntityType {
  name: string;
  table: PgTable;
  /** Data fields (everything but the SyncRecord fields), in declaration order. */
  fields: ReadonlyMap<string, EntityField>;
  onConcurrentDelete: DeletePolicy;
  /**
   * 'conflict' for SyncConflict: records only the server creates and clients
   * settle; 'data' for every type clients write freely.
   */
  kind: 'data' | 'conflict';
}

export type EntityRegistry = ReadonlyMap<string, EntityType>;

const SYNC_INTERFACE = 'SyncRecord';
export const CONFLICT_TYPE = 'SyncConflict';
const DEFAULT_STRATEGY: FieldStrategy = 'MERGE';
const DEFAULT_DELETE_POLICY: DeletePolicy = 'DELETE_WINS';

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
      const directives = field.astNode?.directives;
      const strategy = (directiveArg(directives, 'sync', 'strategy') as FieldStrategy | undefined) ?? DEFAULT_STRATEGY;
      const problem = strategyProblem(strategy, field.type);
      if (problem) problems.push(`${type.name}.${field.name}: ${problem}`);
      fields.set(field.name, {
        name: field.name,
        type: field.type,
        required,
        strategy,
        unique: (directiveArg(directives, 'unique', 'onDuplicate') as DuplicateRule | undefined) ?? null,
        references: (directiveArg(directives, 'references', 'type') as string | undefined) ?? null,
        column,
      });
    }
    for (const key of Object.keys(columns)) {
      if (key !== 'workspaceId' && !fields.has(key) && !(SYSTEM_FIELDS as readonly string[]).includes(key)) {
        problems.push(`${type.name}: column "${key}" has no field in the GraphQL type`);
      }
    }
    registry.set(type.name, {
      name: type.name,
      table,
      fields,
      onConcurrentDelete:
        (directiveArg(type.astNode?.directives, 'syncEntity', 'onConcurrentDelete') as DeletePolicy | undefined) ??
        DEFAULT_DELETE_POLICY,
      kind: type.name === CONFLICT_TYPE ? 'conflict' : 'data',
    });
  }
  for (const name of Object.keys(tables)) {
    if (!registry.has(name)) problems.push(`${name}: table has no GraphQL type implementing ${SYNC_INTERFACE}`);
  }
  for (const entity of registry.values()) {
    for (const field of entity.fields.values()) {
      const target = field.references && registry.get(field.references);
      if (field.references && !target) problems.push(`${entity.name}.${field.name}: @references unknown type "${field.references}"`);
      if (field.unique && field.strategy !== 'MERGE' && field.strategy !== 'LWW') {
        problems.push(`${entity.name}.${field.name}: @unique needs a MERGE or LWW field`);
      }
    }
  }
  if (problems.length) throw new Error(`synced entities do not match their tables:\n  ${problems.join('\n  ')}`);
  return registry;
}

/** The value of an enum or string argument of a directive in the SDL, if present. */
function directiveArg(directives: readonly ConstDirectiveNode[] | undefined, directive: string, argument: string) {
  const arg = directives?.find((d) => d.name.value === directive)?.arguments?.find((a) => a.name.value === argument);
  return arg?.value.kind === 'EnumValue' || arg?.value.kind === 'StringValue' ? arg.value.value : undefined;
}

/** CRDT strategies work on one shape of value only. */
function strategyProblem(strategy: FieldStrategy, type: GraphQLInputType): string | undefined {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (strategy === 'COUNTER' && !(isNonNullType(type) && getNamedType(type).name === 'Int' && !isListType(inner))) {
    return 'a COUNTER field must be Int!';
  }
  if (strategy === 'SET') {
    const element = isListType(inner) ? inner.ofType : undefined;
    if (!isNonNullType(type) || !element || !isNonNullType(element) || getNamedType(element).name !== 'String') {
      return 'a SET field must be [String!]!';
    }
  }
  return undefined;
}

/** COUNTER and SET fields start empty when an INSERT leaves them out. */
export function defaultValue(field: EntityField): unknown {
  if (field.strategy === 'COUNTER') return 0;
  if (field.strategy === 'SET') return [];
  return null;
}

/** Coerces a JSON value for a field with GraphQL's own input rules. Returns an error message on failure. */
export function coerceFieldValue(field: EntityField, value: unknown): { value: unknown } | { error: string } {
  let message: string | undefined;
  const coerced = coerceInputValue(value, field.type, (_path, _invalid, error) => {
    message ??= error.message;
  });
  return message === undefined ? { value: coerced } : { error: message };
}
