import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createSyncClient, MemoryStorage } from '../../client/lib/index.ts';
import { NotesDocument } from '../../client/generated/graphql.ts';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';

let gw: TestGateway;
beforeAll(async () => (gw = await startTestGateway()));
afterAll(async () => gw?.close());

describe('sync client smoke', () => {
  it('creates a note that reaches the server and the other client', async () => {
    const token = await gw.token(newWorkspace());
    const a = await createSyncClient({ url: gw.url, token, storage: new MemoryStorage(), webSocketImpl: WebSocket });
    const b = await createSyncClient({ url: gw.url, token, storage: new MemoryStorage(), webSocketImpl: WebSocket });
    try {
      await a.status.when((s) => s.state === 'live');
      await b.status.when((s) => s.state === 'live');
      const id = await a.create('Note', { title: 'hello', body: '', pinned: false });
      await a.status.when((s) => s.pending === 0);
      const seen = await new Promise<any>((resolve) => {
        const check = () => {
          const notes = b.urql.readQuery(NotesDocument, {})?.data?.notes ?? [];
          if (notes.some((n) => n.id === id)) resolve(notes);
          else setTimeout(check, 20);
        };
        check();
      });
      expect(seen.map((n: any) => n.title)).toEqual(['hello']);
      expect(a.urql.readQuery(NotesDocument, {})?.data?.notes.map((n) => [n.title, n.version])).toEqual([['hello', 1]]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
