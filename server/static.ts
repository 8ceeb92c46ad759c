/**
 * Serves the built notes app (client/app, built by `npm run build:app` into
 * client/app/dist) at `/`, next to GraphQL at /graphql.
 *
 * - GET and HEAD only; a path resolving outside the app directory is refused.
 * - index.html and sw.js are sent with `Cache-Control: no-cache` (always
 *   revalidated: a new build is picked up at once); files under assets/ have
 *   content-hashed names and are cached for good.
 * - When the app is not built, `/` says how to build it.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

/** The build output of client/app/vite.config.ts. */
export const DEFAULT_APP_DIR = resolve(import.meta.dirname, '..', 'client', 'app', 'dist');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * A handler that answers requests for the app's files and returns true, or
 * returns false for anything else (the caller passes it on).
 */
export function createStaticHandler(appDir: string): StaticHandler {
  const root = resolve(appDir);

  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad request path\n');
      return true;
    }
    if (pathname === '/') pathname = '/index.html';
    // A NUL byte or a path leaving the app directory is never a file of the app.
    const file = resolve(root, `.${pathname}`);
    if (pathname.includes('\0') || (file !== root && !file.startsWith(root + sep))) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return true;
    }

    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      if (pathname === '/index.html') {
        sendNotBuilt(res, root);
        return true;
      }
      return false;
    }

    const headers: Record<string, string | number> = {
      'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': info.size,
      'x-content-type-options': 'nosniff',
      'last-modified': info.mtime.toUTCString(),
      'cache-control': pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
    if (pathname === '/sw.js') headers['service-worker-allowed'] = '/';
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    await new Promise<void>((done) => {
      const stream = createReadStream(file);
      stream.on('error', () => {
        res.destroy();
        done();
      });
      stream.on('end', done);
      stream.pipe(res);
    });
    return true;
  };
}

function sendNotBuilt(res: ServerResponse, root: string) {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sync gateway</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2328}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style>
</head><body>
<h1>The notes app is not built</h1>
<p>No build was found in <code>${escapeHtml(join(root, 'index.html'))}</code>.</p>
<p>Build it with <code>npm run build:app</code> (<code>npm start</code> builds it before starting), then reload.
Set <code>APP_DIR</code> to serve a build from another directory.</p>
<p>GraphQL and GraphiQL are at <a href="/graphql">/graphql</a>.</p>
</body></html>
`;
  res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
