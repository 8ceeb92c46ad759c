/**
 * One note in the list: its title and text (edited in place), its tags, its
 * likes and its folder. Every control sends one small change: the gateway
 * combines each field by its own rule, so an edit here never carries fields
 * the user did not touch.
 */
import { useState, type FormEvent } from 'react';
import { Checkbox, HeartIcon, PinIcon } from './controls.tsx';
import { formatTime } from './format.ts';
import { parseTags, type Folder, type Note } from './records.ts';

export interface NoteActions {
  /** Plain field values (title, body, pinned, folderId). */
  save(changes: Partial<Pick<Note, 'title' | 'body' | 'pinned' | 'folderId'>>): void;
  addTags(tags: string[]): void;
  removeTag(tag: string): void;
  like(): void;
  remove(): void;
}

export function NoteCard({
  note,
  folders,
  folderId,
  conflictId,
  actions,
}: {
  note: Note;
  folders: readonly Folder[];
  /** The live folder the note is in (null: unfiled, also when its folder was deleted). */
  folderId: string | null;
  /** An open conflict over its text (two versions waiting for a choice in the conflicts panel). */
  conflictId: string | null;
  actions: NoteActions;
}) {
  const [editing, setEditing] = useState(false);
  const [addingTags, setAddingTags] = useState(false);
  const local = note.version === 0;
  // A note without tags gets no tag row: its "+ Tag" sits with the other controls.
  const tagRow = note.tags.length > 0 || addingTags;

  return (
    <li
      className={`card note ${note.pinned ? 'note-pinned' : ''} ${conflictId ? 'note-conflicted' : ''}`}
      data-testid="note"
      data-note-id={note.id}
      data-pinned={String(note.pinned)}
      data-folder-id={folderId ?? ''}
    >
      {editing ? (
        <NoteEditor
          note={note}
          onCancel={() => setEditing(false)}
          onSave={(changes) => {
            if (Object.keys(changes).length > 0) actions.save(changes);
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
              onClick={() => actions.save({ pinned: !note.pinned })}
              data-testid="note-pin"
            >
              <PinIcon />
            </button>
          </div>
          {conflictId && (
            <a className="conflict-flag" href={`#conflict-${conflictId}`} data-testid="note-conflict-flag">
              Edited on two devices at once: choose the text to keep
            </a>
          )}
          {note.body && (
            <p className="note-body" data-testid="note-body">
              {note.body}
            </p>
          )}
          {tagRow && <Tags tags={note.tags} adding={addingTags} onAdding={setAddingTags} onAdd={actions.addTags} onRemove={actions.removeTag} />}
          <div className="note-foot">
            <div className="note-controls">
              <Likes count={note.likes} onLike={actions.like} />
              <FolderSelect folders={folders} value={folderId} onChange={(id) => actions.save({ folderId: id })} testId="note-folder" />
              {!tagRow && <AddTagButton onClick={() => setAddingTags(true)} />}
            </div>
            <div className="note-controls">
              <span className="meta">
                {local ? <span className="tag">Not synced yet</span> : `Edited ${formatTime(note.updatedAt)}`}
              </span>
              <div className="actions">
                <button type="button" className="button" onClick={() => setEditing(true)} data-testid="note-edit">
                  Edit
                </button>
                <button type="button" className="button danger-text" onClick={actions.remove} data-testid="note-delete">
                  Delete
                </button>
              </div>
            </div>
          </div>
        </>
      )}
    </li>
  );
}

/** Tag chips with a remove button each, and a box to add more (comma separated). */
function Tags({
  tags,
  adding,
  onAdding,
  onAdd,
  onRemove,
}: {
  tags: readonly string[];
  adding: boolean;
  onAdding(adding: boolean): void;
  onAdd(tags: string[]): void;
  onRemove(tag: string): void;
}) {
  const [text, setText] = useState('');

  function submit(event: FormEvent) {
    event.preventDefault();
    // A tag already shown is still sent: it says "keep this tag", which wins
    // over another device removing it at the same time.
    const added = parseTags(text);
    if (added.length > 0) onAdd(added);
    setText('');
    onAdding(false);
  }

  return (
    <div className="tags" data-testid="note-tags">
      <ul className="tag-list" aria-label="Tags">
        {tags.map((tag) => (
          <li key={tag} className="chip tag-chip" data-testid="tag" data-tag={tag}>
            <span className="chip-text">{tag}</span>
            <button
              type="button"
              className="chip-remove"
              aria-label={`Remove tag ${tag}`}
              title={`Remove tag “${tag}”`}
              onClick={() => onRemove(tag)}
              data-testid="tag-remove"
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {adding ? (
        <form className="tag-form" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && onAdding(false)}>
          <input
            className="input tag-input"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onBlur={() => !text.trim() && onAdding(false)}
            placeholder="tag, another"
            aria-label="New tags, separated by commas"
            autoFocus
            data-testid="tag-input"
          />
          <button type="submit" className="button small" disabled={!text.trim()} data-testid="tag-add">
            Add
          </button>
        </form>
      ) : (
        <AddTagButton onClick={() => onAdding(true)} />
      )}
    </div>
  );
}

function AddTagButton({ onClick }: { onClick(): void }) {
  return (
    <button type="button" className="chip chip-add tag-new" onClick={onClick} data-testid="tag-new">
      + Tag
    </button>
  );
}

/** The likes: a count anyone can raise by one; +1s made on several devices at once all add up. */
function Likes({ count, onLike }: { count: number; onLike(): void }) {
  return (
    <div className="likes" title="Likes from every device add up, also when made offline">
      <span className="likes-count" data-testid="note-likes" data-count={count} aria-label={`${count} ${count === 1 ? 'like' : 'likes'}`}>
        <HeartIcon />
        {count}
      </span>
      <button type="button" className="likes-button" onClick={onLike} aria-label="Like (+1)" data-testid="note-like">
        +1
      </button>
    </div>
  );
}

export function FolderSelect({
  folders,
  value,
  onChange,
  testId,
}: {
  folders: readonly Folder[];
  value: string | null;
  onChange(folderId: string | null): void;
  testId: string;
}) {
  return (
    <label className="folder-select">
      <span className="visually-hidden">Folder</span>
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value || null)} data-testid={testId} title="Move to folder">
        <option value="">No folder</option>
        {folders.map((folder) => (
          <option key={folder.id} value={folder.id}>
            {folder.name}
          </option>
        ))}
      </select>
    </label>
  );
}

type EditableFields = Partial<Pick<Note, 'title' | 'body' | 'pinned'>>;

function NoteEditor({ note, onSave, onCancel }: { note: Note; onSave(changes: EditableFields): void; onCancel(): void }) {
  const [title, setTitle] = useState(note.title);
  const [body, setBody] = useState(note.body);
  const [pinned, setPinned] = useState(note.pinned);

  function submit(event: FormEvent) {
    event.preventDefault();
    // Only what changed: the gateway merges concurrent edits field by field.
    const changes: EditableFields = {};
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
