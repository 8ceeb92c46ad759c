/**
 * A durable file store for Node: one JSON file holding graphcache's entries,
 * its metadata and the sync state, rewritten atomically (write a temporary file,
 * then rename) so a crash leaves either the old or the new file, never half.
 */
import { randomUUID } from 'node:crypto';
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
  #queued: Promise<void> | null = null;

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
  flush(): Promise<void> {
    return this.#writing;
  }

  /**
   * Writes are serialized. A save asked for while a write is queued joins it (it
   * writes the whole state anyway) and shares its outcome. A failed write fails
   * its callers but not the writes after it.
   */
  #save(): Promise<void> {
    if (this.#queued) return this.#queued;
    const write = async () => {
      this.#queued = null;
      // Unique per write: two instances on one path never share a temporary file.
      const temporary = `${this.#path}.${process.pid}.${randomUUID()}.tmp`;
      await writeFile(temporary, JSON.stringify(this.#contents));
      await rename(temporary, this.#path);
    };
    const next = this.#writing.then(write, write);
    this.#queued = next;
    this.#writing = next.catch(() => {});
    return next;
  }
}
