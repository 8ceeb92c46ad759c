/**
 * The notes app. The list is a cache-only query: sync (pull, the live stream,
 * and the optimistic answers of local changes) keeps it current, so the app
 * never fetches it and it works the same offline. Edits go through the sync
 * client, which saves them on this device first and sends them when it can.
 */
import { useMemo, useState, useSyncExternalStore, type FormEvent, type ReactNode } from 'react';
import { useQuery } from 'urql';
import type { FailedChange, SyncClient, SyncStatus } from '../../lib/index.ts';
import { NotesDocument, type NoteFieldsFragment } from '../../generated/graphql.ts';

type Note = NoteFieldsFragment;

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

/** Pinned first, then the most recently changed. */
export function sortNotes(notes: readonly Note[]): Note[] {
  return notes
    .filter((note) => !note.deleted)
    .sort(
      (a, b) =>
        Number(b.pinned) - Number(a.pinned) ||
        Date.parse(b.updatedAt) - Date.parse(a.updatedAt) ||
        a.id.localeCompare(b.id),
    );
}

export function App({ client, onChangeToken }: AppProps) {
  const status = useSyncExternalStore(client.status.subscribe, client.status.getSnapshot);
  const browserOnline = useSyncExternalStore(subscribeBrowserOnline, () => navigator.onLine);
  const [{ data }] = useQuery({ query: NotesDocument, requestPolicy: 'cache-only' });
  const notes = useMemo(() => sortNotes(data?.notes ?? []), [data]);
  const [error, setError] = useState<string | null>(null);

  /** Runs a sync client call; a failure (e.g. storage full) is shown, not thrown away. */
  const run = (action: () => Promise<unknown>) => {
    setError(null);
    action().catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };

  // The outbox reports "not authenticated"; a pull, the server's message ("Not authenticated: …").
  const unauthenticated = /not authenticated|unauthenticated/i.test(status.lastError ?? '');

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

        <FailedChanges failed={status.failed} notes={notes} client={client} run={run} />

        <NewNote onCreate={(fields) => run(() => client.create('Note', { ...fields, folderId: null }))} />

        <section aria-label="Notes">
          {notes.length === 0 ? (
            <p className="empty" data-testid="empty">
              {data || status.state === 'live'
                ? 'No notes yet. Write the first one above.'
                : status.state === 'syncing' || status.state === 'initial'
                  ? 'Loading your notes…'
                  : 'No notes on this device yet.'}
            </p>
          ) : (
            <ul className="notes" data-testid="notes-list">
              {notes.map((note) => (
                <NoteCard
                  key={note.id}
                  note={note}
                  onSave={(changes) => run(() => client.update('Note', note.id, changes))}
                  onDelete={() => run(() => client.remove('Note', note.id))}
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
      </footer>
    </div>
  );
}

function SyncBadge({ status, browserOnline }: { status: SyncStatus; browserOnline: boolean }) {
  const online = browserOnline && status.online;
  const label = !browserOnline || status.state === 'offline'
    ? 'Offline'
    : status.state === 'live'
      ? 'Online'
      : status.state === 'backingOff'
        ? 'Reconnecting…'
        : status.state === 'stopped'
          ? 'Stopped'
          : 'Syncing…';
  const tone = label === 'Online' ? 'ok' : label === 'Offline' ? 'off' : 'busy';
  return (
    <div className="sync" aria-live="polite">
      <span
        className={`badge badge-${tone}`}
        data-testid="sync-badge"
        data-online={String(online)}
        data-state={status.state}
        title={status.lastError ?? undefined}
      >
        <span className="dot" aria-hidden="true" />
        {label}
      </span>
      <span className={`pending ${status.pending > 0 ? 'pending-some' : ''}`} data-testid="pending-count" data-count={status.pending}>
        {status.pending > 0 ? `${status.pending} pending` : 'All saved'}
      </span>
    </div>
  );
}

function FailedChanges({
  failed,
  notes,
  client,
  run,
}: {
  failed: readonly FailedChange[];
  notes: readonly Note[];
  client: SyncClient;
  run: (action: () => Promise<unknown>) => void;
}) {
  if (failed.length === 0) return null;
  return (
    <section className="failed card" aria-label="Changes the server refused" data-testid="failed-changes">
      <h2>
        {failed.length === 1 ? 'A change was not saved' : `${failed.length} changes were not saved`}
      </h2>
      <ul>
        {failed.map(({ change, error, failedAt }) => {
          const title =
            (change.data as { title?: string } | null | undefined)?.title ??
            notes.find((n) => n.id === change.entityId)?.title ??
            'a note';
          const what = change.op === 'INSERT' ? 'Create' : change.op === 'UPDATE' ? 'Edit of' : 'Delete of';
          return (
            <li key={change.mutationId} className="failed-item" data-testid="failed-change" data-mutation-id={change.mutationId} data-failed-at={failedAt}>
              <div className="failed-text">
                <strong>
                  {what} “{title || 'Untitled'}”
                </strong>
                <span className="failed-error" data-testid="failed-error">
                  {error.code}: {error.message}
                </span>
              </div>
              <div className="actions">
                <button type="button" className="button" data-testid="retry-failed" onClick={() => run(() => client.retryFailed(change.mutationId))}>
                  Retry
                </button>
                <button type="button" className="button danger-text" data-testid="discard-failed" onClick={() => run(() => client.discardFailed(change.mutationId))}>
                  Discard
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

interface NoteFields {
  title: string;
  body: string;
  pinned: boolean;
}

function NewNote({ onCreate }: { onCreate(fields: NoteFields): void }) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [pinned, setPinned] = useState(false);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!title.trim() && !body.trim()) return;
    onCreate({ title: title.trim(), body, pinned });
    setTitle('');
    setBody('');
    setPinned(false);
  }

  return (
    <form className="card new-note" onSubmit={submit} data-testid="new-note-form" aria-label="New note">
      <input
        className="input title-input"
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        placeholder="Title"
        aria-label="Title"
        data-testid="new-title"
      />
      <textarea
        className="input"
        value={body}
        onChange={(e) => setBody(e.target.value)}
        placeholder="Write a note…"
        aria-label="Note"
        rows={2}
        data-testid="new-body"
      />
      <div className="form-row">
        <Checkbox checked={pinned} onChange={setPinned} testId="new-pinned">
          Pin
        </Checkbox>
        <button type="submit" className="button primary" disabled={!title.trim() && !body.trim()} data-testid="add-note">
          Add note
        </button>
      </div>
    </form>
  );
}

function NoteCard({ note, onSave, onDelete }: { note: Note; onSave(changes: Partial<NoteFields>): void; onDelete(): void }) {
  const [editing, setEditing] = useState(false);
  const local = note.version === 0;

  return (
    <li
      className={`card note ${note.pinned ? 'note-pinned' : ''}`}
      data-testid="note"
      data-note-id={note.id}
      data-pinned={String(note.pinned)}
    >
      {editing ? (
        <NoteEditor
          note={note}
          onCancel={() => setEditing(false)}
          onSave={(changes) => {
            if (Object.keys(changes).length > 0) onSave(changes);
            setEditing(false);
          }}
        />
      ) : (
        <>
          <div className="note-head">
            <h3 className="note-title" data-testid="note-title">
              {note.title || <span className="muted">Untitled</span>}
            </h3>
            <button
              type="button"
              className={`icon-button ${note.pinned ? 'icon-on' : ''}`}
              aria-pressed={note.pinned}
              aria-label={note.pinned ? 'Unpin' : 'Pin'}
              title={note.pinned ? 'Unpin' : 'Pin'}
              onClick={() => onSave({ pinned: !note.pinned })}
              data-testid="note-pin"
            >
              <PinIcon />
            </button>
          </div>
          {note.body && (
            <p className="note-body" data-testid="note-body">
              {note.body}
            </p>
          )}
          <div className="note-foot">
            <span className="meta">
              {local ? <span className="tag">Not synced yet</span> : `Edited ${formatTime(note.updatedAt)}`}
            </span>
            <div className="actions">
              <button type="button" className="button" onClick={() => setEditing(true)} data-testid="note-edit">
                Edit
              </button>
              <button type="button" className="button danger-text" onClick={onDelete} data-testid="note-delete">
                Delete
              </button>
            </div>
          </div>
        </>
      )}
    </li>
  );
}

function NoteEditor({ note, onSave, onCancel }: { note: Note; onSave(changes: Partial<NoteFields>): void; onCancel(): void }) {
  const [title, setTitle] = useState(note.title);
  const [body, setBody] = useState(note.body);
  const [pinned, setPinned] = useState(note.pinned);

  function submit(event: FormEvent) {
    event.preventDefault();
    // Only what changed: the gateway merges concurrent edits field by field.
    const changes: Partial<NoteFields> = {};
    if (title.trim() !== note.title) changes.title = title.trim();
    if (body !== note.body) changes.body = body;
    if (pinned !== note.pinned) changes.pinned = pinned;
    onSave(changes);
  }

  return (
    <form className="editor" onSubmit={submit} data-testid="note-editor" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <input
        className="input title-input"
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        aria-label="Title"
        placeholder="Title"
        autoFocus
        data-testid="edit-title"
      />
      <textarea
        className="input"
        value={body}
        onChange={(e) => setBody(e.target.value)}
        aria-label="Note"
        rows={Math.min(12, Math.max(3, body.split('\n').length + 1))}
        data-testid="edit-body"
      />
      <div className="form-row">
        <Checkbox checked={pinned} onChange={setPinned} testId="edit-pinned">
          Pinned
        </Checkbox>
        <div className="actions">
          <button type="button" className="button" onClick={onCancel} data-testid="edit-cancel">
            Cancel
          </button>
          <button type="submit" className="button primary" data-testid="edit-save">
            Save
          </button>
        </div>
      </div>
    </form>
  );
}

function Checkbox({ checked, onChange, testId, children }: { checked: boolean; onChange(value: boolean): void; testId: string; children: ReactNode }) {
  return (
    <label className="checkbox">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      <span>{children}</span>
    </label>
  );
}

function PinIcon() {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
      <path
        d="M15 3l6 6-3 1-3.5 3.5L14 18l-2 2-4-4-4.5 4.5L3 20l.5-.5L8 15l-4-4 2-2 4.5-.5L14 5z"
        fill="currentColor"
      />
    </svg>
  );
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const yearFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const now = new Date();
  if (date.toDateString() === now.toDateString()) return `at ${timeFormat.format(date)}`;
  return `on ${(date.getFullYear() === now.getFullYear() ? dateFormat : yearFormat).format(date)}`;
}
