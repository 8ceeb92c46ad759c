export { createSyncClient, type SyncClient, type SyncClientOptions } from './sync-client.ts';
export { MemoryStorage, type SyncStorage, type PendingChange, type FailedChange, type PersistedSyncState } from './storage.ts';
export type { SyncStatus } from './status.ts';
export { isOfflineError } from './offline.ts';
export { Backoff, type BackoffOptions } from './backoff.ts';
export { transitions as syncLoopTransitions, type LoopState } from './sync-loop.ts';
export { syncedTypes } from './cache.ts';
export {
  syncRules,
  systemFields,
  strategyOf,
  rulesOf,
  normalizeSet,
  applySet,
  applyCounter,
  shapeProblem,
  CONFLICT_TYPE,
  type SyncStrategy,
  type SyncTypeRules,
  type SyncFieldRule,
  type DeletePolicy,
  type DuplicateRule,
  type CounterUpdate,
  type SetUpdate,
} from './strategies.ts';
export type {
  ConflictFieldsFragment as SyncConflictRecord,
  FolderFieldsFragment as FolderRecord,
  NoteFieldsFragment as NoteRecord,
  ConflictKind,
} from '../generated/graphql.ts';
