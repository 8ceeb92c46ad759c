/**
 * The notes app: `npm run build:app` builds it into client/app/dist, which the
 * gateway serves at `/` (server/static.ts). `npm run dev:app` runs Vite's dev
 * server with /graphql and /app-config.json proxied to a gateway on :4000.
 *
 * The service worker (client/app/sw.js) is emitted by the plugin below with the
 * list of files to precache (every file of the build) and a version derived from
 * their content-hashed names, so each build that changes anything installs a
 * new worker and drops the previous caches.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = import.meta.dirname;
const gateway = process.env.GATEWAY_URL ?? 'http://localhost:4000';

function serviceWorker(): Plugin {
  const template = join(root, 'sw.js');
  return {
    name: 'notes-app:service-worker',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const publicFiles = readdirSync(join(root, 'public'), { withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name);
      const files = [...Object.keys(bundle), ...publicFiles]
        .filter((name) => name !== 'index.html' && name !== 'sw.js' && !name.endsWith('.map'))
        .sort();
      const source = readFileSync(template, 'utf8');
      const version = createHash('sha256').update(source).update(files.join('\n')).digest('hex').slice(0, 12);
      // '/' is index.html (its name in the bundle is not a URL the app uses).
      const precache = ['/', '/app-config.json', ...files.map((name) => `/${name}`)];
      this.emitFile({
        type: 'asset',
        fileName: 'sw.js',
        source: source.replace('self.__PRECACHE__', JSON.stringify(precache)).replace('self.__VERSION__', JSON.stringify(version)),
      });
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), serviceWorker()],
  build: {
    outDir: join(root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/graphql': { target: gateway, ws: true, changeOrigin: true },
      '/app-config.json': { target: gateway, changeOrigin: true },
    },
  },
});
