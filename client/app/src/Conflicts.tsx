/**
 * The conflicts panel. Two kinds, both synced, so every device shows the same
 * ones until one device settles them:
 * - CONCURRENT_EDIT: a note's text was changed on two devices without either
 *   seeing the other. The gateway kept the first and held the second back; the
 *   user keeps one of them or saves a hand-merged text.
 * - DUPLICATE_VALUE: two folders got the same name; the gateway merged them.
 *   Nothing to decide, only to read and dismiss.
 */
import { useState } from 'react';
import { InfoIcon, WarningIcon } from './controls.tsx';
import { shortDeviceId } from './format.ts';
import { mergeDraft, valueText, type Conflict, type Note } from './records.ts';

export interface ConflictActions {
  /** Give the field this value (either version, or a merge of both). */
  resolve(conflictId: string, value: string): void;
  /** Keep everything as it is and close the conflict. */
  dismiss(conflictId: string): void;
}

export function ConflictsPanel({
  edits,
  notices,
  notes,
  clientId,
  actions,
}: {
  edits: readonly Conflict[];
  notices: readonly Conflict[];
  notes: ReadonlyMap<string, Note>;
  /** This device's sync client id: a conflict raised by it holds back this device's edit. */
  clientId: string;
  actions: ConflictActions;
}) {
  if (edits.length === 0 && notices.length === 0) return null;
  return (
    <section className="conflicts" aria-label="Conflicts" data-testid="conflicts">
      {edits.map((conflict) => (
        <EditConflict key={conflict.id} conflict={conflict} note={notes.get(conflict.entityId)} mine={conflict.clientId === clientId} actions={actions} />
      ))}
      {notices.map((conflict) => (
        <MergeNotice key={conflict.id} conflict={conflict} onDismiss={() => actions.dismiss(conflict.id)} />
      ))}
    </section>
  );
}

function EditConflict({ conflict, note, mine, actions }: { conflict: Conflict; note: Note | undefined; mine: boolean; actions: ConflictActions }) {
  // What the note holds now (this device's view, so also a later edit), else what the server held then.
  const current = note ? valueText((note as Record<string, unknown>)[conflict.field]) : valueText(conflict.serverValue);
  const held = valueText(conflict.clientValue);
  const prefill = mergeDraft(current, held);
  // Follows the versions until the user types in it.
  const [draft, setDraft] = useState<string | null>(null);
  const merged = draft ?? prefill;
  const fieldName = conflict.field === 'body' ? 'text' : conflict.field;
  const title = note?.title || 'Untitled';
  const otherDevice = `another device${conflict.clientId && !mine ? ` (${shortDeviceId(conflict.clientId)})` : ''}`;

  return (
    <article
      className="card conflict"
      id={`conflict-${conflict.id}`}
      data-testid="conflict"
      data-kind={conflict.kind}
      data-conflict-id={conflict.id}
      data-entity-id={conflict.entityId}
      aria-labelledby={`conflict-title-${conflict.id}`}
    >
      <header className="conflict-head">
        <span className="conflict-icon">
          <WarningIcon />
        </span>
        <div>
          <h2 id={`conflict-title-${conflict.id}`}>
            Two versions of “{title}”
          </h2>
          <p>
            The note’s {fieldName} was changed on two devices without either seeing the other’s change. Both are kept
            until someone, on any device, keeps one or combines them.
          </p>
        </div>
      </header>
      <div className="versions">
        <Version
          label="In the note now"
          source={mine ? 'saved first, from another device' : 'saved first'}
          text={current}
          testId="conflict-current"
          keepTestId="keep-current"
          onKeep={() => actions.resolve(conflict.id, current)}
        />
        <Version
          label={mine ? 'Your edit' : 'The other edit'}
          source={mine ? 'from this device, held back' : `from ${otherDevice}, held back`}
          text={held}
          mine={mine}
          testId="conflict-incoming"
          keepTestId="keep-incoming"
          onKeep={() => actions.resolve(conflict.id, held)}
        />
      </div>
      <div className="merge">
        <label className="merge-label" htmlFor={`merge-${conflict.id}`}>
          Or combine them by hand
        </label>
        <textarea
          id={`merge-${conflict.id}`}
          className="input merge-box"
          value={merged}
          onChange={(e) => setDraft(e.target.value)}
          rows={Math.min(10, Math.max(3, merged.split('\n').length + 1))}
          data-testid="merge-box"
        />
        <div className="merge-actions">
          {draft !== null && draft !== prefill && (
            <button type="button" className="link-button" onClick={() => setDraft(null)}>
              Start over from both versions
            </button>
          )}
          <button type="button" className="button primary" onClick={() => actions.resolve(conflict.id, merged)} data-testid="save-merged">
            Save merged
          </button>
        </div>
      </div>
    </article>
  );
}

function Version({
  label,
  source,
  text,
  mine,
  testId,
  keepTestId,
  onKeep,
}: {
  label: string;
  source: string;
  text: string;
  mine?: boolean;
  testId: string;
  keepTestId: string;
  onKeep(): void;
}) {
  return (
    <section className={`version ${mine ? 'version-mine' : ''}`} data-testid={testId} aria-label={label}>
      <h3 className="version-label">
        {label}
        <span className="version-source" data-testid="version-source">
          {source}
        </span>
      </h3>
      <div className="version-text" data-testid="version-text">
        {text || <span className="muted">(empty)</span>}
      </div>
      <button type="button" className="button" onClick={onKeep} data-testid={keepTestId}>
        Keep this version
      </button>
    </section>
  );
}

function MergeNotice({ conflict, onDismiss }: { conflict: Conflict; onDismiss(): void }) {
  const value = valueText(conflict.clientValue);
  const text =
    conflict.entityType === 'Folder'
      ? `Two folders named “${value}” were merged; notes were moved into the one that existed first.`
      : `Two ${conflict.entityType.toLowerCase()}s with the ${conflict.field} “${value}” were merged into the one that existed first.`;
  return (
    <div className="banner banner-info" role="status" data-testid="conflict" data-kind={conflict.kind} data-conflict-id={conflict.id}>
      <span className="banner-text">
        <InfoIcon />
        <span data-testid="notice-text">{text}</span>
      </span>
      <button type="button" className="button small" onClick={onDismiss} data-testid="dismiss-conflict">
        Dismiss
      </button>
    </div>
  );
}
