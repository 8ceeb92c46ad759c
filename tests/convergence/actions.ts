/**
 * The generated steps of a case and their arbitraries. A step names records by
 * position ("note #2" = the third live note the client sees, modulo how many it
 * sees), so a shrunk sequence still means something after earlier steps are
 * removed. Every step prints as a call, e.g. `c1.edit(note #0, title "beta", likes +2)`.
 */
import fc from 'fast-check';
import type { NewNote, NoteEdit, Settlement, SimClient, SyncPlan } from './client.ts';
import { FAULTS, type Fault } from './transport.ts';

export const TITLES = ['alpha', 'beta', 'gamma'];
export const BODIES = ['', 'draft', 'final', 'todo'];
export const TAGS = ['a', 'b', 'c'];
/** Few names, so two clients often pick the same one for different folders. */
export const FOLDER_NAMES = ['Work', 'Home', 'Ideas'];

export type Step =
  | { kind: 'createNote'; client: number; note: NewNote }
  | { kind: 'edit'; client: number; notePick: number; edit: NoteEdit }
  | { kind: 'deleteNote'; client: number; notePick: number }
  | { kind: 'createFolder'; client: number; name: string }
  | { kind: 'renameFolder'; client: number; folderPick: number; name: string }
  | { kind: 'deleteFolder'; client: number; folderPick: number }
  | { kind: 'settle'; client: number; conflictPick: number; settlement: Settlement }
  | { kind: 'setOnline'; client: number; online: boolean }
  | { kind: 'sync'; client: number; plan: SyncPlan }
  | { kind: 'replayStalePush'; client: number; pushPick: number };

const quote = (value: unknown) => JSON.stringify(value);
const folderText = (pick: number | null | undefined) => (pick === null ? 'no folder' : `folder #${pick}`);

function describeEdit(edit: NoteEdit): string[] {
  const parts: string[] = [];
  if (edit.title !== undefined) parts.push(`title ${quote(edit.title)}`);
  if (edit.body !== undefined) parts.push(`body ${quote(edit.body)}`);
  if (edit.pinned !== undefined) parts.push(edit.pinned ? 'pinned' : 'unpinned');
  if (edit.likesInc !== undefined) parts.push(`likes ${edit.likesInc >= 0 ? '+' : ''}${edit.likesInc}`);
  if (edit.tagsAdd?.length || edit.tagsRemove?.length) {
    parts.push(`tags ${(edit.tagsAdd ?? []).map((t) => `+${t}`).join('')}${(edit.tagsRemove ?? []).map((t) => `-${t}`).join('')}`);
  }
  if (edit.folderPick !== undefined) parts.push(`to ${folderText(edit.folderPick)}`);
  return parts;
}

export function describeStep(step: Step): string {
  const c = `c${step.client}`;
  switch (step.kind) {
    case 'createNote': {
      const n = step.note;
      const parts = [`title ${quote(n.title)}`, `body ${quote(n.body)}`, n.pinned ? 'pinned' : 'unpinned'];
      if (n.tags !== undefined) parts.push(`tags [${n.tags.join(',')}]`);
      if (n.likes !== undefined) parts.push(`likes ${n.likes}`);
      parts.push(`in ${folderText(n.folderPick)}`);
      return `${c}.createNote(${parts.join(', ')})`;
    }
    case 'edit':
      return `${c}.edit(note #${step.notePick}, ${describeEdit(step.edit).join(', ')})`;
    case 'deleteNote':
      return `${c}.deleteNote(note #${step.notePick})`;
    case 'createFolder':
      return `${c}.createFolder(${quote(step.name)})`;
    case 'renameFolder':
      return `${c}.renameFolder(folder #${step.folderPick}, ${quote(step.name)})`;
    case 'deleteFolder':
      return `${c}.deleteFolder(folder #${step.folderPick})`;
    case 'settle':
      return `${c}.settle(conflict #${step.conflictPick}, ${step.settlement === 'dismiss' ? 'dismiss' : `value ${quote(step.settlement.value)}`})`;
    case 'setOnline':
      return `${c}.${step.online ? 'online' : 'offline'}()`;
    case 'sync': {
      const faults = step.plan.faults.length ? `, faults [${step.plan.faults.join(', ')}]` : '';
      return `${c}.sync(batch ${step.plan.batchSize}, page ${step.plan.pageSize ?? 'default'}${faults})`;
    }
    case 'replayStalePush':
      return `${c}.network.replayStalePush(#${step.pushPick})`;
  }
}

export async function performStep(step: Step, client: SimClient): Promise<void> {
  switch (step.kind) {
    case 'createNote':
      return client.createNote(step.note);
    case 'edit':
      return client.editNote(step.notePick, step.edit);
    case 'deleteNote':
      return client.deleteNote(step.notePick);
    case 'createFolder':
      return client.createFolder(step.name);
    case 'renameFolder':
      return client.renameFolder(step.folderPick, step.name);
    case 'deleteFolder':
      return client.deleteFolder(step.folderPick);
    case 'settle':
      return client.settle(step.conflictPick, step.settlement);
    case 'setOnline':
      return client.setOnline(step.online);
    case 'sync':
      await client.sync(step.plan);
      return;
    case 'replayStalePush':
      return client.replayStalePush(step.pushPick);
  }
}

/** fast-check prints a value through this method, so counterexamples read as steps. */
function printable(step: Step): Step {
  const copy = { ...step };
  return Object.defineProperty(copy, fc.toStringMethod, { value: () => describeStep(copy), enumerable: false });
}

// Small picks, mostly the first (the oldest record in server order, the same for every client that
// pulled it): clients keep coming back to the same few records, where concurrent edits happen.
const pickArb = fc.oneof(fc.constant(0), fc.nat({ max: 3 }));

/** Disjoint adds and removes over the small alphabet, so adds and removes of one element collide across clients. */
const tagOpsArb = fc
  .tuple(...TAGS.map(() => fc.constantFrom('keep', 'add', 'remove')))
  .map((choices) => ({
    tagsAdd: TAGS.filter((_, i) => choices[i] === 'add'),
    tagsRemove: TAGS.filter((_, i) => choices[i] === 'remove'),
  }))
  .filter((ops) => ops.tagsAdd.length + ops.tagsRemove.length > 0);

const likesIncArb = fc.integer({ min: -3, max: 5 });

const newNoteArb: fc.Arbitrary<NewNote> = fc.record(
  {
    title: fc.constantFrom(...TITLES),
    body: fc.constantFrom(...BODIES),
    pinned: fc.boolean(),
    tags: fc.subarray(TAGS),
    likes: fc.integer({ min: 0, max: 5 }),
    folderPick: fc.option(pickArb, { nil: null }),
  },
  { requiredKeys: ['title', 'body', 'pinned', 'folderPick'] },
);

const fieldEditArb: fc.Arbitrary<NoteEdit> = fc
  .tuple(
    fc.record(
      {
        title: fc.constantFrom(...TITLES),
        body: fc.constantFrom(...BODIES),
        pinned: fc.boolean(),
        likesInc: likesIncArb,
        folderPick: fc.option(pickArb, { nil: null }),
      },
      { requiredKeys: [] },
    ),
    fc.option(tagOpsArb, { nil: undefined }),
  )
  .map(([fields, tags]) => ({ ...fields, ...tags }))
  .filter((edit) => Object.keys(edit).length > 0);

/** Edits: any mix of fields, or a lone body, like or tag change (the common cases in the app). */
const editArb: fc.Arbitrary<NoteEdit> = fc.oneof(
  { weight: 2, arbitrary: fieldEditArb },
  { weight: 2, arbitrary: fc.constantFrom(...BODIES).map((body) => ({ body })) },
  { weight: 1, arbitrary: likesIncArb.map((likesInc) => ({ likesInc })) },
  { weight: 2, arbitrary: tagOpsArb },
);

const syncPlanArb: fc.Arbitrary<SyncPlan> = fc.record({
  batchSize: fc.integer({ min: 1, max: 4 }),
  pageSize: fc.constantFrom<number | null>(null, 1, 2, 3),
  // Mostly delivered: a sync where every request fails teaches nothing about what comes after.
  faults: fc.array(
    fc.oneof({ weight: 4, arbitrary: fc.constant<Fault>('none') }, ...FAULTS.filter((f) => f !== 'none').map((f) => fc.constant<Fault>(f))),
    { maxLength: 4 },
  ),
});

const settlementArb: fc.Arbitrary<Settlement> = fc.oneof(
  fc.constantFrom(...BODIES).map((value) => ({ value })),
  fc.constant('dismiss' as const),
);

export function stepArb(clients: number): fc.Arbitrary<Step> {
  const client = fc.nat({ max: clients - 1 });
  const step = <T extends Step>(arb: fc.Arbitrary<T>) => arb.map(printable);
  return fc.oneof(
    { weight: 10, arbitrary: step(fc.record({ kind: fc.constant('sync' as const), client, plan: syncPlanArb })) },
    { weight: 4, arbitrary: step(fc.record({ kind: fc.constant('createNote' as const), client, note: newNoteArb })) },
    { weight: 8, arbitrary: step(fc.record({ kind: fc.constant('edit' as const), client, notePick: pickArb, edit: editArb })) },
    { weight: 1, arbitrary: step(fc.record({ kind: fc.constant('deleteNote' as const), client, notePick: pickArb })) },
    { weight: 2, arbitrary: step(fc.record({ kind: fc.constant('createFolder' as const), client, name: fc.constantFrom(...FOLDER_NAMES) })) },
    {
      weight: 1,
      arbitrary: step(fc.record({ kind: fc.constant('renameFolder' as const), client, folderPick: pickArb, name: fc.constantFrom(...FOLDER_NAMES) })),
    },
    { weight: 1, arbitrary: step(fc.record({ kind: fc.constant('deleteFolder' as const), client, folderPick: pickArb })) },
    { weight: 2, arbitrary: step(fc.record({ kind: fc.constant('settle' as const), client, conflictPick: pickArb, settlement: settlementArb })) },
    { weight: 1, arbitrary: step(fc.record({ kind: fc.constant('setOnline' as const), client, online: fc.boolean() })) },
    { weight: 1, arbitrary: step(fc.record({ kind: fc.constant('replayStalePush' as const), client, pushPick: pickArb })) },
  );
}

export function scenarioArb(clients: number, maxSteps: number): fc.Arbitrary<Step[]> {
  return fc.array(stepArb(clients), { minLength: 1, maxLength: maxSteps, size: 'max' });
}
