/**
 * A durable file store for Node: one JSON file holding graphcache's entries,
 * its metadata and the sync state, rewritten atomically (write a temporary file,
 * then rename) so a crash leaves either the old or the new file, never half.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SerializedEntries, SerializedRequest } from '@urql/exchange-graphcache';
import { mergeEntries, type PersistedSyncState, type SyncStorage } from './storage.ts';

interface FileContents {
  entries: SerializedEntries;
  metadata: SerializedRequest[];
  state: PersistedSyncState | null;
}

export class FileStorage implements SyncStorage {
  readonly #path: string;
  readonly #contents: FileContents;
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;

  constructor(path: string) {
    this.#path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.#contents = FileStorage.#load(path);
  }

  static #load(path: string): FileContents {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as FileContents;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: {}, metadata: [], state: null };
      throw error;
    }
  }

  async readData() {
    return { ...this.#contents.entries };
  }
  writeData(delta: SerializedEntries) {
    mergeEntries(this.#contents.entries, delta);
    return this.#save();
  }
  async readMetadata() {
    return [...this.#contents.metadata];
  }
  writeMetadata(requests: SerializedRequest[]) {
    this.#contents.metadata = [...requests];
    void this.#save();
  }
  async readSyncState() {
    return this.#contents.state && structuredClone(this.#contents.state);
  }
  writeSyncState(state: PersistedSyncState) {
    this.#contents.state = structuredClone(state);
    return this.#save();
  }
  flush() {
    return this.#writing;
  }

  /** Writes are serialized; writes requested while one runs are coalesced into the next. */
  #save(): Promise<void> {
    if (this.#dirty) return this.#writing;
    this.#dirty = true;
    this.#writing = this.#writing.then(async () => {
      this.#dirty = false;
      const temporary = `${this.#path}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(this.#contents));
      await rename(temporary, this.#path);
    });
    return this.#writing;
  }
}
