import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { boolean, text } from 'drizzle-orm/pg-core';
import { syncedTable } from '../../db/schema.ts';
import { buildEntityRegistry } from '../../server/sync/entities.ts';
import { loadTypeDefs } from '../../server/schema.ts';
import { realRegistry } from '../helpers/entities.ts';

const base = loadTypeDefs().filter((sdl) => sdl.includes('interface SyncRecord')).join('\n');

describe('entity registry', () => {
  it('derives Note from schema/ and db/schema.ts with MERGE as the default strategy', () => {
    const note = realRegistry().get('Note')!;
    expect([...note.fields.keys()]).toEqual(['title', 'body', 'pinned', 'folderId']);
    expect(note.fields.get('title')).toMatchObject({ required: true, strategy: 'MERGE' });
    expect(note.fields.get('folderId')).toMatchObject({ required: false });
  });

  it('makes a new synced type from one SDL declaration and one table, reading @sync strategies', () => {
    const schema = buildSchema(`${base}
      type Task implements SyncRecord {
        id: ID! version: Int! updatedAt: DateTime! deleted: Boolean!
        label: String! @sync(strategy: LWW)
        done: Boolean!
      }`);
    const tasks = syncedTable('tasks', { label: text('label').notNull(), done: boolean('done').notNull() });
    const task = buildEntityRegistry(schema, { Task: tasks }).get('Task')!;
    expect(task.fields.get('label')?.strategy).toBe('LWW');
    expect(task.fields.get('done')?.strategy).toBe('MERGE');
  });

  it('fails at start when the type and its table disagree', () => {
    const schema = buildSchema(`${base}
      type Task implements SyncRecord {
        id: ID! version: Int! updatedAt: DateTime! deleted: Boolean!
        label: String!
        done: Boolean!
      }`);
    const missingColumn = syncedTable('tasks', { label: text('label').notNull() });
    expect(() => buildEntityRegistry(schema, { Task: missingColumn })).toThrow(/Task\.done: no column/);
    const wrongNullability = syncedTable('tasks', { label: text('label'), done: boolean('done').notNull() });
    expect(() => buildEntityRegistry(schema, { Task: wrongNullability })).toThrow(/Task\.label: nullability/);
    expect(() => buildEntityRegistry(schema, {})).toThrow(/Task: no drizzle table/);
  });
});
