export { createSyncClient, type SyncClient, type SyncClientOptions } from './sync-client.ts';
export { MemoryStorage, type SyncStorage, type PendingChange, type FailedChange, type PersistedSyncState } from './storage.ts';
export type { SyncStatus } from './status.ts';
export { isOfflineError } from './offline.ts';
export { Backoff, type BackoffOptions } from './backoff.ts';
export { transitions as syncLoopTransitions, type LoopState } from './sync-loop.ts';
export { syncedTypes } from './cache.ts';
