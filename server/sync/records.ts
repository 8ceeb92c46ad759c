/**
 * The wire shape of a record: a plain JSON snapshot tagged with its type name.
 * The same snapshot is stored in the change log, so a pull is one range read
 * with no join back to the entity tables.
 */
import type { EntityType } from './entities.ts';

export interface RecordSnapshot {
  __typename: string;
  id: string;
  version: number;
  updatedAt: string;
  deleted: boolean;
  [field: string]: unknown;
}

/** A record's state while a push works on it. */
export interface RecordState {
  id: string;
  version: number;
  updatedAt: Date;
  deleted: boolean;
  data: Record<string, unknown>;
}

export const SYSTEM_FIELDS = ['id', 'version', 'updatedAt', 'deleted'] as const;

/** A row of a synced table (drizzle's property names) as a record state. */
export function rowToState(entity: Pick<EntityType, 'fields'>, row: Record<string, unknown>): RecordState {
  const data: Record<string, unknown> = {};
  for (const name of entity.fields.keys()) data[name] = row[name];
  return {
    id: row.id as string,
    version: row.version as number,
    updatedAt: row.updatedAt as Date,
    deleted: row.deleted as boolean,
    data,
  };
}

export function toSnapshot(typeName: string, state: RecordState): RecordSnapshot {
  return {
    __typename: typeName,
    id: state.id,
    version: state.version,
    updatedAt: state.updatedAt.toISOString(),
    deleted: state.deleted,
    ...state.data,
  };
}
