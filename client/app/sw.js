/**
 * The notes app's service worker: keeps the app shell in a cache so the app
 * opens (and reloads) with no network. The build fills in the precache list and
 * the version (client/app/vite.config.ts).
 *
 * - Navigations and /app-config.json: network first, the cached copy when the
 *   network fails (the cache is refreshed on every successful fetch).
 * - Hashed build files under /assets/: cache first (their content never changes).
 * - Everything else of the app's origin: network first with cache fallback.
 * - /graphql (HTTP, SSE and WebSocket) is never touched: sync has its own
 *   offline handling, and its answers must never come from a cache.
 */
const PRECACHE = self.__PRECACHE__;
const VERSION = self.__VERSION__;
const CACHE = `notes-app-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // `reload`: straight from the server, not from the HTTP cache.
      await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('notes-app-') && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === '/graphql' || url.pathname.startsWith('/graphql/')) return;
  if (request.headers.get('accept')?.includes('text/event-stream')) return;

  if (request.mode === 'navigate') {
    // Every page of the app is index.html; only its own URLs refresh the cached copy.
    const isShell = url.pathname === '/' || url.pathname === '/index.html';
    event.respondWith(networkFirst(request, '/', isShell));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(networkFirst(request, url.pathname, true));
  }
});

/** The network's answer (kept under `key` for next time when `store`), or the cached copy when the network fails. */
async function networkFirst(request, key, store) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (store && response.ok) await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const cached = (await cache.match(key)) ?? (await cache.match(request, { ignoreSearch: true }));
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}
