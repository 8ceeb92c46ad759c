/**
 * Deterministic record ids, so a replayed case sends byte-for-byte the same
 * requests, and short names for them in traces ("n1.3" = client 1's third note).
 */

const PREFIX = '00000000-0000-4000-8000-';
const KIND_DIGIT = { Note: '1', Folder: '2' } as const;
const OURS = /^00000000-0000-4000-8000-([12])([0-9a-f]{2})(\d{9})$/;

export function entityUuid(kind: keyof typeof KIND_DIGIT, clientIndex: number, counter: number): string {
  return `${PREFIX}${KIND_DIGIT[kind]}${clientIndex.toString(16).padStart(2, '0')}${String(counter).padStart(9, '0')}`;
}

/** "n1.3", "f0.2"; ids the server made (conflicts) by their first 8 characters. */
export function shortId(id: string | null | undefined): string {
  if (id == null) return 'null';
  const match = OURS.exec(id);
  if (!match) return id.slice(0, 8);
  const [, kind, client, counter] = match;
  return `${kind === '1' ? 'n' : 'f'}${parseInt(client!, 16)}.${Number(counter)}`;
}
