/**
 * The notes app. Its lists (notes, folders, conflicts) are cache-only queries:
 * sync (pull, the live stream, and the optimistic answers of local changes)
 * keeps them current, so the app never fetches them and works the same offline.
 * Edits go through the sync client, which saves them on this device first and
 * sends them when it can.
 */
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useQuery } from 'urql';
import type { SyncClient } from '../../lib/index.ts';
import { ConflictsDocument, FoldersDocument, NotesDocument } from '../../generated/graphql.ts';
import { ConflictsPanel, type ConflictActions } from './Conflicts.tsx';
import { FailedChanges } from './FailedChanges.tsx';
import { Folders, type FolderActions } from './Folders.tsx';
import { formatTime } from './format.ts';
import { HowSyncWorks } from './HowSyncWorks.tsx';
import { NewNote } from './NewNote.tsx';
import { NoteCard, type NoteActions } from './NoteCard.tsx';
import {
  ALL_NOTES,
  countByFolder,
  currentFilter,
  filterNotes,
  folderOf,
  openConflicts,
  sortFolders,
  sortNotes,
  type FolderFilter,
  type Note,
} from './records.ts';
import { SyncBadge } from './SyncBadge.tsx';

interface AppProps {
  client: SyncClient;
  /** Set when the token was pasted by the user (not the gateway's dev token). */
  onChangeToken?: () => void;
}

function subscribeBrowserOnline(listener: () => void) {
  window.addEventListener('online', listener);
  window.addEventListener('offline', listener);
  return () => {
    window.removeEventListener('online', listener);
    window.removeEventListener('offline', listener);
  };
}

export function App({ client, onChangeToken }: AppProps) {
  const status = useSyncExternalStore(client.status.subscribe, client.status.getSnapshot);
  const browserOnline = useSyncExternalStore(subscribeBrowserOnline, () => navigator.onLine);
  const [{ data: notesData }] = useQuery({ query: NotesDocument, requestPolicy: 'cache-only' });
  const [{ data: foldersData }] = useQuery({ query: FoldersDocument, requestPolicy: 'cache-only' });
  const [{ data: conflictsData }] = useQuery({ query: ConflictsDocument, requestPolicy: 'cache-only' });
  const [chosenFilter, setFilter] = useState<FolderFilter>(ALL_NOTES);
  const [error, setError] = useState<string | null>(null);

  const notes = useMemo(() => sortNotes(notesData?.notes ?? []), [notesData]);
  const folders = useMemo(() => sortFolders(foldersData?.folders ?? []), [foldersData]);
  const liveFolderIds = useMemo(() => new Set(folders.map((f) => f.id)), [folders]);
  const conflicts = useMemo(() => conflictsData?.conflicts ?? [], [conflictsData]);
  const { edits, notices } = useMemo(() => openConflicts(conflicts), [conflicts]);
  const notesById = useMemo(() => new Map<string, Note>(notes.map((n) => [n.id, n])), [notes]);
  const filter = currentFilter(chosenFilter, liveFolderIds, conflicts);
  // Once followed to the folder it was merged into, stay there after the notice is dismissed.
  const followedTo = filter.kind === 'folder' && chosenFilter.kind === 'folder' && filter.id !== chosenFilter.id ? filter.id : null;
  useEffect(() => {
    if (followedTo) setFilter({ kind: 'folder', id: followedTo });
  }, [followedTo]);
  const shownNotes = useMemo(() => filterNotes(notes, filter, liveFolderIds), [notes, filter, liveFolderIds]);
  const counts = useMemo(() => countByFolder(notes, liveFolderIds), [notes, liveFolderIds]);
  const conflictOfNote = useMemo(() => new Map(edits.filter((c) => c.entityType === 'Note').map((c) => [c.entityId, c.id])), [edits]);

  /** Runs a sync client call; a failure (e.g. storage full) is shown, not thrown away. */
  const run = (action: () => Promise<unknown>) => {
    setError(null);
    action().catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };

  const noteActions = (note: Note): NoteActions => ({
    save: (changes) => run(() => client.update('Note', note.id, changes)),
    addTags: (tags) => run(() => client.update('Note', note.id, { tags: { add: tags } })),
    removeTag: (tag) => run(() => client.update('Note', note.id, { tags: { remove: [tag] } })),
    like: () => run(() => client.update('Note', note.id, { likes: { inc: 1 } })),
    remove: () => run(() => client.remove('Note', note.id)),
  });

  const folderActions: FolderActions = {
    create: async (name) => {
      setError(null);
      return client.create('Folder', { name }).catch((e: unknown) => {
        setError(e instanceof Error ? e.message : String(e));
        return null;
      });
    },
    rename: (id, name) => run(() => client.update('Folder', id, { name })),
    remove: (id) => run(() => client.remove('Folder', id)),
  };

  const conflictActions: ConflictActions = {
    resolve: (conflictId, value) => run(() => client.resolveConflict(conflictId, value)),
    dismiss: (conflictId) => run(() => client.dismissConflict(conflictId)),
  };

  // The outbox reports "not authenticated"; a pull, the server's message ("Not authenticated: …").
  const unauthenticated = /not authenticated|unauthenticated/i.test(status.lastError ?? '');
  const selectedFolder = filter.kind === 'folder' ? folders.find((f) => f.id === filter.id) : undefined;

  return (
    <div className="app">
      <header className="topbar">
        <div className="topbar-inner">
          <h1 className="brand">
            <img src="/favicon.svg" alt="" width={28} height={28} />
            Notes
          </h1>
          <SyncBadge status={status} browserOnline={browserOnline} />
        </div>
      </header>

      <main className="content">
        {unauthenticated && (
          <div className="banner banner-error" role="alert" data-testid="auth-error">
            <span>The gateway refused the token. Your changes are kept on this device.</span>
            {onChangeToken && (
              <button type="button" className="button" onClick={onChangeToken}>
                Use another token
              </button>
            )}
          </div>
        )}
        {error && (
          <div className="banner banner-error" role="alert">
            <span>{error}</span>
            <button type="button" className="button" onClick={() => setError(null)}>
              Dismiss
            </button>
          </div>
        )}

        <ConflictsPanel edits={edits} notices={notices} notes={notesById} clientId={client.clientId} actions={conflictActions} />

        <FailedChanges failed={status.failed} notes={notes} folders={folders} client={client} run={run} />

        <Folders folders={folders} counts={counts} total={notes.length} filter={filter} onFilter={setFilter} actions={folderActions} />

        <NewNote
          folders={folders}
          defaultFolderId={selectedFolder?.id ?? null}
          onCreate={(fields) => run(() => client.create('Note', { ...fields, likes: 0 }))}
        />

        <section aria-label="Notes">
          {shownNotes.length === 0 ? (
            <p className="empty" data-testid="empty">
              {filter.kind !== 'all' && notes.length > 0
                ? selectedFolder
                  ? `No notes in “${selectedFolder.name}” yet.`
                  : 'Every note is in a folder.'
                : notesData || status.state === 'live'
                  ? 'No notes yet. Write the first one above.'
                  : status.state === 'syncing' || status.state === 'initial'
                    ? 'Loading your notes…'
                    : 'No notes on this device yet.'}
            </p>
          ) : (
            <ul className="notes" data-testid="notes-list">
              {shownNotes.map((note) => (
                <NoteCard
                  key={note.id}
                  note={note}
                  folders={folders}
                  folderId={folderOf(note, liveFolderIds)}
                  conflictId={conflictOfNote.get(note.id) ?? null}
                  actions={noteActions(note)}
                />
              ))}
            </ul>
          )}
        </section>
      </main>

      <footer className="footer">
        <span data-testid="last-synced">
          {status.lastSyncedAt ? `Last synced ${formatTime(status.lastSyncedAt)}` : 'Not synced yet'}
        </span>
        {onChangeToken && (
          <button type="button" className="link-button" onClick={onChangeToken}>
            Use another token
          </button>
        )}
        <HowSyncWorks />
      </footer>
    </div>
  );
}
