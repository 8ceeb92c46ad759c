/** Short, readable renderings of changes, answers and pulled changes for traces. */
import { shortId } from './ids.ts';
import type { ChangeInput, ChangeResult, PulledChange } from './protocol.ts';

function describeValue(field: string, value: unknown): string {
  if (field === 'folderId') return shortId(value as string | null);
  if (field === 'likes' && typeof value === 'object' && value) return `inc ${(value as { inc: number }).inc}`;
  if (field === 'tags' && value && !Array.isArray(value)) {
    const { add = [], remove = [] } = value as { add?: string[]; remove?: string[] };
    return [...add.map((e) => `+${e}`), ...remove.map((e) => `-${e}`)].join('');
  }
  return JSON.stringify(value);
}

export function describeData(data: Record<string, unknown> | undefined): string {
  if (!data) return '';
  return `{${Object.entries(data).map(([field, value]) => `${field}: ${describeValue(field, value)}`).join(', ')}}`;
}

export function describeChange(change: ChangeInput): string {
  const base = change.baseVersion === undefined ? '' : ` @${change.baseVersion}`;
  return `${change.mutationId} ${change.op} ${change.entityType} ${shortId(change.entityId)}${base} ${describeData(change.data)}`.trimEnd();
}

export function describeResult(result: ChangeResult): string {
  const code = result.error ? ` ${result.error.code}` : '';
  const record = result.record ? ` → ${result.record.__typename} ${shortId(result.record.id)} v${result.record.version}${result.record.deleted ? ' deleted' : ''}` : '';
  const conflicts = result.conflicts?.length ? ` conflicts [${result.conflicts.map((c) => `${c.kind} ${shortId(c.id)}`).join(', ')}]` : '';
  const overwrote = result.conflictingFields?.length ? ` overwrote [${result.conflictingFields.join(', ')}]` : '';
  return `${result.mutationId} ${result.status}${code}${record}${overwrote}${conflicts}`;
}

export function describePulled(change: PulledChange): string {
  const by = change.mutationId ? ` by ${change.clientId}/${change.mutationId}` : ` by the server (in ${change.clientId}'s push)`;
  return `${change.op} ${change.entityType} ${shortId(change.entityId)} v${change.record.version} [${change.changedFields.join(',')}]${by}`;
}
