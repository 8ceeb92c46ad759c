import { describe, expect, it } from 'vitest';
import { validateChange, type ChangeInputWire } from '../../server/sync/validate.ts';
import { realRegistry } from '../helpers/entities.ts';

const entities = realRegistry();
const id = '6F1C2A4E-0000-4000-8000-000000000001';
const insert = (data: unknown): ChangeInputWire => ({ mutationId: 'm', entityType: 'Note', entityId: id, op: 'INSERT', data });

describe('validateChange', () => {
  it('accepts a whole INSERT, lower-cases the id and fills nullable fields', () => {
    const valid = validateChange(insert({ title: 't', body: 'b', pinned: false, __typename: 'Note', id }), entities);
    expect(valid).toMatchObject({ entityId: id.toLowerCase(), op: 'INSERT', data: { title: 't', body: 'b', pinned: false, folderId: null } });
  });

  it.each([
    [{ ...insert({}), entityType: 'Nope' }, 'UNKNOWN_ENTITY_TYPE'],
    [{ ...insert({}), entityId: "1'; DROP TABLE notes; --" }, 'INVALID_ID'],
    [{ ...insert({}), mutationId: '' }, 'INVALID_MUTATION_ID'],
    [{ ...insert({}), mutationId: 'x'.repeat(256) }, 'INVALID_MUTATION_ID'],
    [insert({ title: 't', body: 'b' }), 'MISSING_FIELD'],
    [insert({ title: 't', body: 'b', pinned: false, colour: 'red' }), 'UNKNOWN_FIELD'],
    [insert({ title: 't', body: 'b', pinned: false, version: 7 }), 'READ_ONLY_FIELD'],
    [insert({ title: 't', body: 'b', pinned: 'yes' }), 'INVALID_FIELD_VALUE'],
    [insert({ title: 42, body: 'b', pinned: false }), 'INVALID_FIELD_VALUE'],
    [insert({ title: null, body: 'b', pinned: false }), 'INVALID_FIELD_VALUE'],
    [insert(['not', 'an', 'object']), 'INVALID_CHANGE'],
    [insert(null), 'INVALID_CHANGE'],
    [{ ...insert({ title: 't', body: 'b', pinned: false }), baseVersion: 1 }, 'INVALID_BASE_VERSION'],
    [{ mutationId: 'm', entityType: 'Note', entityId: id, op: 'UPDATE', data: {} }, 'INVALID_CHANGE'],
    [{ mutationId: 'm', entityType: 'Note', entityId: id, op: 'UPDATE', data: { title: 'x' }, baseVersion: 0 }, 'INVALID_BASE_VERSION'],
    [{ mutationId: 'm', entityType: 'Note', entityId: id, op: 'DELETE', data: { title: 'x' } }, 'INVALID_CHANGE'],
  ] as [ChangeInputWire, string][])('rejects %j with %s', (input, code) => {
    expect(validateChange(input, entities)).toMatchObject({ code });
  });

  it('keeps SQL-looking strings as plain data', () => {
    const valid = validateChange(insert({ title: "'); DROP TABLE notes; --", body: 'b', pinned: false }), entities);
    expect(valid).toMatchObject({ data: { title: "'); DROP TABLE notes; --" } });
  });
});
