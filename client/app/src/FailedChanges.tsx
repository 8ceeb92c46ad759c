/** Changes the server refused, each with its error, to retry or discard. */
import type { FailedChange, SyncClient } from '../../lib/index.ts';
import type { Folder, Note } from './records.ts';

export function FailedChanges({
  failed,
  notes,
  folders,
  client,
  run,
}: {
  failed: readonly FailedChange[];
  notes: readonly Note[];
  folders: readonly Folder[];
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
        {failed.map(({ change, error, failedAt }) => (
          <li key={change.mutationId} className="failed-item" data-testid="failed-change" data-mutation-id={change.mutationId} data-failed-at={failedAt}>
            <div className="failed-text">
              <strong>{describeChange(change, notes, folders)}</strong>
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
        ))}
      </ul>
    </section>
  );
}

/** "Edit of “Groceries”", "Create of folder “Work”": what the user did, in their words. */
function describeChange(change: FailedChange['change'], notes: readonly Note[], folders: readonly Folder[]): string {
  const data = (change.data ?? {}) as { title?: unknown; name?: unknown };
  const what = change.op === 'INSERT' ? 'Create of' : change.op === 'UPDATE' ? 'Edit of' : 'Delete of';
  switch (change.entityType) {
    case 'Folder': {
      const name = typeof data.name === 'string' ? data.name : folders.find((f) => f.id === change.entityId)?.name;
      return `${what} folder “${name ?? 'a folder'}”`;
    }
    case 'SyncConflict':
      return change.op === 'DELETE' ? 'Dismissing a conflict' : 'Choosing a version of a conflict';
    default: {
      const title = typeof data.title === 'string' ? data.title : (notes.find((n) => n.id === change.entityId)?.title ?? 'a note');
      return `${what} “${title || 'Untitled'}”`;
    }
  }
}
