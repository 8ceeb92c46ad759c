/**
 * The reads every push makes, with their text built once per table instead of
 * by drizzle's query builder on every call (which checks each column and
 * parameter against a dozen classes: a tenth of a single-change push's CPU).
 * Rows come back as drizzle's builder would return them: keyed by property
 * name, each value mapped by its column.
 */
import { getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { rowsOf, type Transaction } from '../../db/client.ts';

interface ReadShape {
  /** column name -> [property name, column]. */
  columns: Map<string, [string, PgColumn]>;
  /** `select <every column> from <table> where "workspace_id" = `. */
  prefix: string;
}

export const quoteIdentifier = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

const shapes = new WeakMap<PgTable, ReadShape>();

function shapeOf(table: PgTable): ReadShape {
  let shape = shapes.get(table);
  if (shape) return shape;
  const entries = Object.entries(getTableColumns(table) as Record<string, PgColumn>);
  const list = entries.map(([, column]) => quoteIdentifier(column.name)).join(', ');
  shape = {
    columns: new Map(entries.map(([property, column]) => [column.name, [property, column]])),
    prefix: `select ${list} from ${quoteIdentifier(getTableName(table))} where "workspace_id" = `,
  };
  shapes.set(table, shape);
  return shape;
}

/**
 * Rows of `table` in the workspace whose `column` is one of `values`. The
 * statement is handed to the driver before this returns (see WorkingSet.lock).
 */
export function selectByValues(
  tx: Transaction,
  table: PgTable,
  workspaceId: string,
  column: PgColumn,
  values: unknown[],
): Promise<Record<string, unknown>[]> {
  return selectWhere(tx, table, workspaceId, sql`${sql.raw(quoteIdentifier(column.name))} in ${values}`);
}

/** Rows of `table` in the workspace matching `condition` (unqualified column names). */
export function selectWhere(tx: Transaction, table: PgTable, workspaceId: string, condition: SQL): Promise<Record<string, unknown>[]> {
  const shape = shapeOf(table);
  return tx
    .execute(sql`${sql.raw(shape.prefix)}${workspaceId} and ${condition}`)
    .execute()
    .then((result) => rowsOf(result).map((raw) => toProperties(shape, raw)));
}

function toProperties(shape: ReadShape, raw: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    const [property, column] = shape.columns.get(name)!;
    row[property] = value === null ? null : column.mapFromDriverValue(value);
  }
  return row;
}
