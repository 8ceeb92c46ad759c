/**
 * List queries of synced types: every Query field typed `[T!]!` where T is a
 * synced type returns T's live (not deleted) records in the caller's workspace.
 * Declared in the SDL next to the type; resolved here once for all types.
 */
import { and, desc, eq } from 'drizzle-orm';
import { getNamedType, isListType, isNonNullType, type GraphQLSchema } from 'graphql';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/client.ts';
import type { EntityRegistry, EntityType } from './entities.ts';
import { rowToState, toSnapshot, type RecordSnapshot } from './records.ts';

/** Query field name -> entity type, for every list-of-records field. */
export function findListFields(schema: GraphQLSchema, entities: EntityRegistry): Map<string, EntityType> {
  const fields = new Map<string, EntityType>();
  for (const field of Object.values(schema.getQueryType()?.getFields() ?? {})) {
    const type = isNonNullType(field.type) ? field.type.ofType : field.type;
    const entity = entities.get(getNamedType(field.type).name);
    if (entity && isListType(type) && field.args.length === 0) fields.set(field.name, entity);
  }
  return fields;
}

export async function listLiveRecords(db: Database, entity: EntityType, workspaceId: string): Promise<RecordSnapshot[]> {
  const table = entity.table as PgTable & Record<string, PgColumn>;
  const rows = (await db
    .select()
    .from(table)
    .where(and(eq(table.workspaceId!, workspaceId), eq(table.deleted!, false)))
    .orderBy(desc(table.updatedAt!))) as Record<string, unknown>[];
  return rows.map((row) => toSnapshot(entity.name, rowToState(entity, row)));
}
