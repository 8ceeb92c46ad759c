/**
 * Starts the notes app: the service worker (the app shell offline), the app
 * config and token, the IndexedDB storage and the sync client; then renders.
 * Everything here runs once per page load, outside React.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { createSyncClient } from '../../lib/index.ts';
import { IndexedDBStorage } from '../../lib/storage-indexeddb.ts';
import { App } from './App.tsx';
import { forgetToken, loadAppConfig, readClaims, savedToken, saveToken, type TokenClaims } from './config.ts';
import { TokenForm } from './TokenForm.tsx';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

function registerServiceWorker() {
  // Built app only: the dev server has no sw.js (and must not cache its modules).
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js').catch((error: unknown) => console.warn('service worker not registered:', error));
}

function askForToken(): Promise<string> {
  return new Promise((resolve) => {
    root.render(
      <StrictMode>
        <TokenForm
          onSubmit={(token) => {
            saveToken(token);
            resolve(token);
          }}
        />
      </StrictMode>,
    );
  });
}

/**
 * crypto.randomUUID exists only in secure contexts (https, localhost): a phone
 * opening the gateway at http://<LAN address> has getRandomValues only.
 */
function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** One database per workspace and user, so switching tokens never mixes their notes. */
function databaseName(claims: TokenClaims | null): string {
  if (!claims?.workspace) return 'sync-gateway';
  return `sync-gateway:${claims.workspace}:${claims.sub ?? ''}`;
}

async function start() {
  registerServiceWorker();
  const config = await loadAppConfig();
  const token = config.devToken ?? savedToken() ?? (await askForToken());
  const storage = await IndexedDBStorage.open({ name: databaseName(readClaims(token)) });
  const client = await createSyncClient({
    url: new URL(config.graphqlPath, location.href).href,
    token,
    storage,
    newId,
  });
  // The browser says the network is back: retry now rather than at the next backoff.
  window.addEventListener('online', () => client.nudge());

  const changeToken = config.devToken
    ? undefined
    : async () => {
        forgetToken();
        await client.stop();
        location.reload();
      };

  root.render(
    <StrictMode>
      <Provider value={client.urql}>
        <App client={client} onChangeToken={changeToken} />
      </Provider>
    </StrictMode>,
  );
}

start().catch((error: unknown) => {
  console.error(error);
  root.render(
    <main className="boot boot-error" role="alert">
      <h1>Notes could not start</h1>
      <p>{error instanceof Error ? error.message : String(error)}</p>
      <button type="button" className="button primary" onClick={() => location.reload()}>
        Reload
      </button>
    </main>,
  );
});
