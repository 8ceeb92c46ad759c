import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

describe('GraphiQL', () => {
  let dev: TestGateway;
  beforeAll(async () => (dev = await startTestGateway({ jwtSecret: null })));
  afterAll(async () => dev?.close());

  async function page(url: string) {
    const response = await fetch(url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    return response.text();
  }

  it('is served with all its assets inline, so it works with no internet', async () => {
    const html = await page(dev.url);
    expect(html).toContain('<title>Sync gateway</title>');
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/i);
    expect(html).not.toMatch(/<link[^>]+href=["']https?:/i);
    expect(html).not.toMatch(/unpkg\.com|jsdelivr\.net/);
  });

  it('comes in dev mode with the dev token filled in, and that token works', async () => {
    expect(dev.gateway.devToken).toBeTruthy();
    const html = await page(dev.url);
    expect(html).toContain(dev.gateway.devToken!);
    const response = await dev.graphql(dev.gateway.devToken, '{ pullChanges { syncToken hasMore } }');
    expect(response.errors).toBeUndefined();
    expect(response.data.pullChanges.hasMore).toBe(false);
  });

  it('answers introspection without a token, so the schema explorer loads', async () => {
    const response = await dev.graphql(null, '{ __type(name: "Note") { fields { name } } }');
    expect(response.data.__type.fields.map((f: { name: string }) => f.name)).toEqual(
      expect.arrayContaining(['id', 'version', 'updatedAt', 'deleted', 'title', 'body', 'pinned', 'folderId']),
    );
  });
});
