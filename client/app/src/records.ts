/**
 * What the app shows, derived from the synced records in the cache: which notes
 * a folder view lists and in what order, which conflicts are still open, and the
 * starting text of a hand merge. Pure functions, so every view agrees.
 */
import type { ConflictFieldsFragment, FolderFieldsFragment, NoteFieldsFragment } from '../../generated/graphql.ts';

export type Note = NoteFieldsFragment;
export type Folder = FolderFieldsFragment;
export type Conflict = ConflictFieldsFragment;

/** Which notes the list shows: all of them, those in no (live) folder, or one folder's. */
export type FolderFilter = { kind: 'all' } | { kind: 'unfiled' } | { kind: 'folder'; id: string };

export const ALL_NOTES: FolderFilter = { kind: 'all' };

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

export function sortFolders(folders: readonly Folder[]): Folder[] {
  return folders.filter((folder) => !folder.deleted).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/**
 * The folder a note shows in. A note of a deleted folder keeps that folder's id
 * (the server leaves it), so it shows as unfiled rather than nowhere.
 */
export function folderOf(note: Note, liveFolderIds: ReadonlySet<string>): string | null {
  return note.folderId && liveFolderIds.has(note.folderId) ? note.folderId : null;
}

export function filterNotes(notes: readonly Note[], filter: FolderFilter, liveFolderIds: ReadonlySet<string>): Note[] {
  if (filter.kind === 'all') return [...notes];
  const wanted = filter.kind === 'folder' ? filter.id : null;
  return notes.filter((note) => folderOf(note, liveFolderIds) === wanted);
}

/** Notes per folder id ('' counts the unfiled ones). */
export function countByFolder(notes: readonly Note[], liveFolderIds: ReadonlySet<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const note of notes) {
    const key = folderOf(note, liveFolderIds) ?? '';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * The filter to show now. A folder merged into a same-named one (its
 * DUPLICATE_VALUE notice names the survivor) is followed to the survivor, so a
 * device looking at its own "Work" keeps looking at the one "Work" left; a folder
 * that is simply gone falls back to all notes.
 */
export function currentFilter(filter: FolderFilter, liveFolderIds: ReadonlySet<string>, conflicts: readonly Conflict[]): FolderFilter {
  if (filter.kind !== 'folder' || liveFolderIds.has(filter.id)) return filter;
  const merge = conflicts.find((c) => c.kind === 'DUPLICATE_VALUE' && c.entityType === 'Folder' && c.entityId === filter.id && c.survivorId);
  if (merge?.survivorId && liveFolderIds.has(merge.survivorId)) return { kind: 'folder', id: merge.survivorId };
  return ALL_NOTES;
}

/** Conflicts still waiting for someone: edits to choose between, and merge notices nobody dismissed. */
export function openConflicts(conflicts: readonly Conflict[]): { edits: Conflict[]; notices: Conflict[] } {
  const live = conflicts.filter((c) => !c.deleted);
  return {
    edits: live.filter((c) => c.kind === 'CONCURRENT_EDIT' && !c.resolved),
    notices: live.filter((c) => c.kind === 'DUPLICATE_VALUE'),
  };
}

/** A field value as text (MANUAL fields are strings; anything else is shown as JSON). */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The hand merge starts from both texts, the note's first, so nothing is lost by saving it as is. */
export function mergeDraft(current: string, held: string): string {
  if (current === held || held.trim() === '') return current;
  if (current.trim() === '') return held;
  return `${current.trimEnd()}\n\n${held.trimStart()}`;
}

/** Tags typed into one box: split on commas, trimmed, no empties or repeats. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((tag) => tag.trim()).filter(Boolean))];
}
