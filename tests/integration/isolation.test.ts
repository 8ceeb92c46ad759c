import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { deleteNote, newNote, pull, push, updateNote } from '../helpers/sync.ts';

let gw: TestGateway;
beforeAll(async () => (gw = await startTestGateway()));
afterAll(async () => gw?.close());

describe('workspace isolation', () => {
  it('never shows one workspace the changes of another', async () => {
    const a = await gw.token(newWorkspace());
    const b = await gw.token(newWorkspace());
    await push(gw, a, [newNote({ title: 'secret of A' })]);
    expect((await pull(gw, b)).changes).toEqual([]);
    expect((await pull(gw, a)).changes).toHaveLength(1);
  });

  it('cannot touch another workspace’s record, even knowing its id', async () => {
    const a = await gw.token(newWorkspace());
    const b = await gw.token(newWorkspace());
    const note = newNote({ title: 'A owns this' });
    await push(gw, a, [note]);

    const [update] = await push(gw, b, [updateNote(note.entityId, { title: 'hijacked' })]);
    expect(update).toMatchObject({ status: 'REJECTED', error: { code: 'RECORD_NOT_FOUND' }, record: null });
    const [remove] = await push(gw, b, [deleteNote(note.entityId)]);
    expect(remove).toMatchObject({ status: 'REJECTED', error: { code: 'RECORD_NOT_FOUND' } });
    // The same id inserted in B is B's own record; A's stays as it was.
    const [insert] = await push(gw, b, [{ ...note, data: { title: 'B copy', body: '', pinned: false } }]);
    expect(insert).toMatchObject({ status: 'APPLIED', record: { version: 1, title: 'B copy' } });

    const { changes } = await pull(gw, a);
    expect(changes.map((c) => [c.op, c.record.title, c.record.version])).toEqual([['INSERT', 'A owns this', 1]]);
  });

  it('keeps mutation ids per workspace: the same id in another workspace is a new change', async () => {
    const a = await gw.token(newWorkspace());
    const b = await gw.token(newWorkspace());
    const note = newNote();
    expect((await push(gw, a, [note], 'same-client'))[0].status).toBe('APPLIED');
    expect((await push(gw, b, [note], 'same-client'))[0].status).toBe('APPLIED');
  });
});
