/**
 * Bulk writes that send their rows as one jsonb parameter, expanded by
 * PostgreSQL's `jsonb_populate_recordset` against the table's own row type.
 * The statement's text depends only on the table, so it is built once per
 * table and the driver reuses its prepared statement; drizzle's builder, by
 * contrast, costs a parameter (and a typing) per column per row, which made
 * query building the largest part of a push's CPU time.
 *
 * Values go through JSON: dates as ISO strings, arrays as JSON arrays (read
 * into `text[]` columns), jsonb columns as the JSON value itself, null as SQL
 * NULL. Every column is written, so a row must hold a value (or null) for
 * each; an absent one is NULL, not the column's default.
 */
import { getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { quoteIdentifier as quote } from './table-reads.ts';

interface TableShape {
  /** drizzle property name -> column name. */
  columns: [property: string, column: string][];
  /** The statement up to its one parameter. */
  insert: string;
  /** `on conflict (...) do update set` every column outside the key, for upserts. */
  upsert?: string;
}


const shapes = new WeakMap<PgTable, Map<string, TableShape>>();

function shapeOf(table: PgTable, conflictTarget: PgColumn[] | undefined): TableShape {
  const key = conflictTarget?.map((column) => column.name).join(',') ?? '';
  let byTarget = shapes.get(table);
  if (!byTarget) shapes.set(table, (byTarget = new Map()));
  let shape = byTarget.get(key);
  if (shape) return shape;
  const columns = Object.entries(getTableColumns(table) as Record<string, PgColumn>).map(
    ([property, column]) => [property, column.name] as [string, string],
  );
  const list = columns.map(([, column]) => quote(column)).join(', ');
  const name = quote(getTableName(table));
  shape = {
    columns,
    insert: `insert into ${name} (${list}) select ${list} from jsonb_populate_recordset(null::${name}, `,
  };
  if (conflictTarget) {
    const keyColumns = new Set(conflictTarget.map((column) => column.name));
    const set = columns
      .filter(([, column]) => !keyColumns.has(column))
      .map(([, column]) => `${quote(column)} = excluded.${quote(column)}`)
      .join(', ');
    shape.upsert = ` on conflict (${[...keyColumns].map(quote).join(', ')}) do update set ${set}`;
  }
  byTarget.set(key, shape);
  return shape;
}

/**
 * `insert into <table> ... ` of `rows` (keyed by drizzle property names), or an
 * upsert replacing every non-key column when `conflictTarget` is given.
 */
export function insertRows(table: PgTable, rows: Record<string, unknown>[], conflictTarget?: PgColumn[]): SQL {
  const shape = shapeOf(table, conflictTarget);
  const stored = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [property, column] of shape.columns) out[column] = row[property] ?? null;
    return out;
  });
  return sql`${sql.raw(shape.insert)}${JSON.stringify(stored)}::jsonb${sql.raw(`)${shape.upsert ?? ''}`)}`;
}
