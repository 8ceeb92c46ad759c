/**
 * The folder bar: pick which notes to show (all, unfiled, one folder), create a
 * folder, and rename or delete the one being looked at. Folder names are unique
 * in a workspace: a name this device already knows is refused here, and two
 * devices that pick the same name offline get their folders merged by the gateway.
 */
import { useState, type FormEvent } from 'react';
import { FolderIcon } from './controls.tsx';
import type { Folder, FolderFilter } from './records.ts';

export interface FolderActions {
  /** The new folder's id; null when it could not be saved (the app shows why). */
  create(name: string): Promise<string | null>;
  rename(id: string, name: string): void;
  remove(id: string): void;
}

export function Folders({
  folders,
  counts,
  total,
  filter,
  onFilter,
  actions,
}: {
  folders: readonly Folder[];
  /** Notes per folder id; '' for the unfiled ones. */
  counts: ReadonlyMap<string, number>;
  total: number;
  filter: FolderFilter;
  onFilter(filter: FolderFilter): void;
  actions: FolderActions;
}) {
  const selected = filter.kind === 'folder' ? folders.find((f) => f.id === filter.id) : undefined;
  const nameTaken = (name: string, except?: string) => folders.find((f) => f.name === name && f.id !== except);

  return (
    <nav className="folders" aria-label="Folders" data-testid="folders">
      <ul className="folder-chips">
        <FolderChip label="All notes" count={total} selected={filter.kind === 'all'} onSelect={() => onFilter({ kind: 'all' })} testId="folder-all" />
        <FolderChip label="Unfiled" count={counts.get('') ?? 0} selected={filter.kind === 'unfiled'} onSelect={() => onFilter({ kind: 'unfiled' })} testId="folder-unfiled" />
        {folders.map((folder) => (
          <FolderChip
            key={folder.id}
            label={folder.name}
            count={counts.get(folder.id) ?? 0}
            selected={selected?.id === folder.id}
            onSelect={() => onFilter({ kind: 'folder', id: folder.id })}
            testId="folder"
            folderId={folder.id}
            icon
          />
        ))}
        <li>
          <NewFolder
            onCreate={async (name) => {
              const id = nameTaken(name)?.id ?? (await actions.create(name));
              if (id) onFilter({ kind: 'folder', id });
            }}
          />
        </li>
      </ul>
      {selected && (
        <FolderHeader
          key={selected.id}
          folder={selected}
          count={counts.get(selected.id) ?? 0}
          nameTaken={(name) => Boolean(nameTaken(name, selected.id))}
          onRename={(name) => actions.rename(selected.id, name)}
          onDelete={() => {
            actions.remove(selected.id);
            onFilter({ kind: 'all' });
          }}
        />
      )}
    </nav>
  );
}

function FolderChip({
  label,
  count,
  selected,
  onSelect,
  testId,
  folderId,
  icon,
}: {
  label: string;
  count: number;
  selected: boolean;
  onSelect(): void;
  testId: string;
  folderId?: string;
  icon?: boolean;
}) {
  return (
    <li>
      <button
        type="button"
        className={`chip folder-chip ${selected ? 'chip-selected' : ''}`}
        aria-pressed={selected}
        onClick={onSelect}
        data-testid={testId}
        data-folder-id={folderId}
      >
        {icon && <FolderIcon />}
        <span className="chip-text" data-testid="folder-name">
          {label}
        </span>
        <span className="count" data-testid="folder-count">
          {count}
        </span>
      </button>
    </li>
  );
}

function NewFolder({ onCreate }: { onCreate(name: string): Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');

  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    void onCreate(trimmed);
    setName('');
    setOpen(false);
  }

  if (!open) {
    return (
      <button type="button" className="chip chip-add" onClick={() => setOpen(true)} data-testid="new-folder">
        + New folder
      </button>
    );
  }
  return (
    <form className="inline-form" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && setOpen(false)} aria-label="New folder">
      <input
        className="input chip-input"
        value={name}
        onChange={(e) => setName(e.target.value)}
        onBlur={() => !name.trim() && setOpen(false)}
        placeholder="Folder name"
        aria-label="Folder name"
        autoFocus
        data-testid="new-folder-name"
      />
      <button type="submit" className="button small primary" disabled={!name.trim()} data-testid="create-folder">
        Create
      </button>
    </form>
  );
}

function FolderHeader({
  folder,
  count,
  nameTaken,
  onRename,
  onDelete,
}: {
  folder: Folder;
  count: number;
  nameTaken(name: string): boolean;
  onRename(name: string): void;
  onDelete(): void;
}) {
  const [mode, setMode] = useState<'view' | 'rename' | 'confirmDelete'>('view');
  const [name, setName] = useState(folder.name);
  const trimmed = name.trim();
  const taken = trimmed !== folder.name && nameTaken(trimmed);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!trimmed || taken) return;
    if (trimmed !== folder.name) onRename(trimmed);
    setMode('view');
  }

  return (
    <div className="folder-head" data-testid="folder-head" data-folder-id={folder.id}>
      {mode === 'rename' ? (
        <form className="inline-form folder-rename" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && setMode('view')}>
          <input
            className="input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-label="Folder name"
            aria-invalid={taken}
            autoFocus
            data-testid="rename-folder-name"
          />
          <button type="submit" className="button small primary" disabled={!trimmed || taken} data-testid="rename-folder-save">
            Save
          </button>
          <button type="button" className="button small" onClick={() => setMode('view')}>
            Cancel
          </button>
          {taken && (
            <span className="form-error" role="alert">
              There is already a folder named “{trimmed}”.
            </span>
          )}
        </form>
      ) : mode === 'confirmDelete' ? (
        <div className="folder-confirm" role="alert">
          <span>
            Delete “{folder.name}”? {count > 0 ? `Its ${count === 1 ? 'note stays' : `${count} notes stay`}, unfiled.` : 'It is empty.'}
          </span>
          <div className="actions">
            <button type="button" className="button small danger" onClick={onDelete} data-testid="delete-folder-confirm">
              Delete folder
            </button>
            <button type="button" className="button small" onClick={() => setMode('view')}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <>
          <h2 className="folder-title" data-testid="folder-title">
            <FolderIcon />
            {folder.name}
            <span className="muted">
              {count} {count === 1 ? 'note' : 'notes'}
            </span>
          </h2>
          <div className="actions">
            <button
              type="button"
              className="button small"
              onClick={() => {
                setName(folder.name);
                setMode('rename');
              }}
              data-testid="rename-folder"
            >
              Rename
            </button>
            <button type="button" className="button small danger-text" onClick={() => setMode('confirmDelete')} data-testid="delete-folder">
              Delete
            </button>
          </div>
        </>
      )}
    </div>
  );
}
