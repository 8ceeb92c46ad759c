import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { newNote, pull, push } from '../helpers/sync.ts';

let gw: TestGateway;
beforeAll(async () => (gw = await startTestGateway()));
afterAll(async () => gw?.close());

describe('smoke', () => {
  it('pushes and pulls a note', async () => {
    const token = await gw.token(newWorkspace());
    const note = newNote({ title: 'hello' });
    const [result] = await push(gw, token, [note]);
    expect(result.status).toBe('APPLIED');
    const page = await pull(gw, token);
    expect(page.changes.map((c) => c.record.title)).toEqual(['hello']);
  });
});
