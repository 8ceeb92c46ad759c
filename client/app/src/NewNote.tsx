/** The form that writes a new note, filed in the folder being looked at unless the user picks another. */
import { useState, type FormEvent } from 'react';
import { Checkbox } from './controls.tsx';
import { FolderSelect } from './NoteCard.tsx';
import { parseTags, type Folder } from './records.ts';

export interface NewNoteFields {
  title: string;
  body: string;
  pinned: boolean;
  folderId: string | null;
  tags: string[];
}

export function NewNote({
  folders,
  defaultFolderId,
  onCreate,
}: {
  folders: readonly Folder[];
  defaultFolderId: string | null;
  onCreate(fields: NewNoteFields): void;
}) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [tags, setTags] = useState('');
  const [pinned, setPinned] = useState(false);
  // Follows the folder being looked at until the user picks one here.
  const [chosenFolder, setChosenFolder] = useState<{ id: string | null } | null>(null);
  const liveChoice = chosenFolder && (chosenFolder.id === null || folders.some((f) => f.id === chosenFolder.id));
  const folderId = liveChoice ? chosenFolder.id : defaultFolderId;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!title.trim() && !body.trim()) return;
    onCreate({ title: title.trim(), body, pinned, folderId, tags: parseTags(tags) });
    setTitle('');
    setBody('');
    setTags('');
    setPinned(false);
    setChosenFolder(null);
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
      <input
        className="input"
        value={tags}
        onChange={(e) => setTags(e.target.value)}
        placeholder="Tags, separated by commas"
        aria-label="Tags"
        data-testid="new-tags"
      />
      <div className="form-row">
        <div className="note-controls">
          <Checkbox checked={pinned} onChange={setPinned} testId="new-pinned">
            Pin
          </Checkbox>
          <FolderSelect folders={folders} value={folderId} onChange={(id) => setChosenFolder({ id })} testId="new-note-folder" />
        </div>
        <button type="submit" className="button primary" disabled={!title.trim() && !body.trim()} data-testid="add-note">
          Add note
        </button>
      </div>
    </form>
  );
}
