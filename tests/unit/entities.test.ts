import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { boolean, text } from 'drizzle-orm/pg-core';
import { syncConflicts, syncedTable } from '../../db/schema.ts';
import { buildEntityRegistry } from '../../server/sync/entities.ts';
import { loadTypeDefs } from '../../server/schema.ts';
import { realRegistry } from '../helpers/entities.ts';

const base = loadTypeDefs().filter((sdl) => sdl.includes('interface SyncRecord')).join('\n');

describe('entity registry', () => {
  it('derives Note, Folder and SyncConflict from schema/ and db/schema.ts with their declared rules', () => {
    const registry = realRegistry();
    const note = registry.get('Note')!;
    expect([...note.fields.keys()]).toEqual(['title', 'body', 'pinned', 'folderId', 'tags', 'likes']);
    expect(Object.fromEntries([...note.fields].map(([name, f]) => [name, f.strategy]))).toEqual({
      title: 'LWW',
      body: 'MANUAL',
      pinned: 'MERGE',
      folderId: 'MERGE',
      tags: 'SET',
      likes: 'COUNTER',
    });
    expect(note.fields.get('folderId')).toMatchObject({ required: false, references: 'Folder' });
    expect(note).toMatchObject({ onConcurrentDelete: 'EDIT_RESURRECTS', kind: 'data' });
    expect(registry.get('Folder')).toMatchObject({ onConcurrentDelete: 'DELETE_WINS', kind: 'data' });
    expect(registry.get('Folder')!.fields.get('name')).toMatchObject({ unique: 'MERGE' });
    expect(registry.get('SyncConflict')).toMatchObject({ kind: 'conflict' });
  });

  it('refuses CRDT strategies on fields of the wrong shape', () => {
    const schema = buildSchema(`${base}
      type Task implements SyncRecord {
        id: ID! version: Int! updatedAt: DateTime! deleted: Boolean!
        label: String! @sync(strategy: COUNTER)
        done: Boolean! @sync(strategy: SET)
      }`);
    const tasks = syncedTable('tasks', { label: text('label').notNull(), done: boolean('done').notNull() });
    expect(() => buildEntityRegistry(schema, { Task: tasks, SyncConflict: syncConflicts })).toThrow(
      /Task\.label: a COUNTER field must be Int![\s\S]*Task\.done: a SET field must be \[String!\]!/,
    );
  });

  it('makes a new synced type from one SDL declaration and one table, reading @sync strategies', () => {
    const schema = buildSchema(`${base}
      type Task implements SyncRecord {
        id: ID! version: Int! updatedAt: DateTime! deleted: Boolean!
        label: String! @sync(strategy: LWW)
        done: Boolean!
      }`);
    const tasks = syncedTable('tasks', { label: text('label').notNull(), done: boolean('done').notNull() });
    const task = buildEntityRegistry(schema, { Task: tasks, SyncConflict: syncConflicts }).get('Task')!;
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
    expect(() => buildEntityRegistry(schema, { Task: missingColumn, SyncConflict: syncConflicts })).toThrow(/Task\.done: no column/);
    const wrongNullability = syncedTable('tasks', { label: text('label'), done: boolean('done').notNull() });
    expect(() => buildEntityRegistry(schema, { Task: wrongNullability, SyncConflict: syncConflicts })).toThrow(/Task\.label: nullability/);
    expect(() => buildEntityRegistry(schema, { SyncConflict: syncConflicts })).toThrow(/Task: no drizzle table/);
  });
});
