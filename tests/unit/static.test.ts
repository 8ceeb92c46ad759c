import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticHandler } from '../../server/static.ts';

let root: string;
let servers: Server[] = [];

/** Serves `dir` with the handler; anything it passes on gets a 418, to tell the two apart. */
async function serve(dir: string): Promise<number> {
  const handler = createStaticHandler(dir);
  const server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(418).end('passed on');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A raw request: the path is sent as given (fetch would normalize `..`). */
function get(port: number, path: string, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'static-test-'));
  mkdirSync(join(root, 'dist', 'assets'), { recursive: true });
  writeFileSync(join(root, 'dist', 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(root, 'dist', 'sw.js'), 'self.x = 1;');
  writeFileSync(join(root, 'dist', 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(root, 'dist', 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(join(root, 'secret.txt'), 'outside the app');
});
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  servers = [];
  rmSync(root, { recursive: true, force: true });
});

describe('serving the built app', () => {
  it('serves index.html at / and files with their content type and caching', async () => {
    const port = await serve(join(root, 'dist'));
    const index = await get(port, '/');
    expect(index).toMatchObject({ status: 200, body: '<!doctype html><title>app</title>' });
    expect(index.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
    expect((await get(port, '/sw.js')).headers).toMatchObject({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
    const script = await get(port, '/assets/index-abc123.js?v=1');
    expect(script).toMatchObject({ status: 200, body: 'console.log(1)' });
    expect(script.headers['cache-control']).toContain('immutable');
    expect((await get(port, '/assets/index-abc123.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await get(port, '/', 'HEAD');
    expect(head).toMatchObject({ status: 200, body: '' });
  });

  it('never serves a file outside the app directory', async () => {
    const port = await serve(join(root, 'dist'));
    for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt']) {
      const response = await get(port, path);
      expect(response.body, path).not.toContain('outside the app');
      expect(response.status, path).not.toBe(200);
    }
    expect((await get(port, '/%00')).status).toBe(404);
    expect((await get(port, '/%E0%A4%A')).status).toBe(400);
  });

  it('passes on what is not a file of the app, and other methods', async () => {
    const port = await serve(join(root, 'dist'));
    expect((await get(port, '/graphql')).status).toBe(418);
    expect((await get(port, '/assets/missing.js')).status).toBe(418);
    expect((await get(port, '/assets')).status).toBe(418);
    expect((await get(port, '/', 'POST')).status).toBe(418);
  });

  it('says how to build the app when it is not built', async () => {
    const port = await serve(join(root, 'not-built'));
    const response = await get(port, '/');
    expect(response.status).toBe(503);
    expect(response.body).toContain('npm run build:app');
  });
});
