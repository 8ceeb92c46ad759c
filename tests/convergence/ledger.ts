/**
 * Every answer the server gave to every pushed change, in server order (requests
 * are sent one at a time, so the order answers arrive in is the order the server
 * decided them). The model computes the expected state from this record and
 * from the changes the clients made, never from the values the server reports.
 */
import type { ChangeInput, ChangeResult } from './protocol.ts';
import type { GraphQLAnswer, GraphQLBody } from './transport.ts';

export interface Answer {
  /** Position in server order, over all clients. */
  seq: number;
  clientId: string;
  change: ChangeInput;
  result: ChangeResult;
}

/** How much of a change the server wrote, read from its answer's status and code. */
export type Effect = 'all' | 'allButHeld' | 'none';

/** Codes of CONFLICT answers that still wrote the change (partly, or as a merge). */
const WRITING_CONFLICTS = new Set(['CONCURRENT_EDIT', 'DUPLICATE_MERGED']);

export function effectOf(result: ChangeResult): Effect {
  switch (result.status) {
    case 'APPLIED':
    case 'MERGED':
      return 'all';
    case 'CONFLICT':
      return WRITING_CONFLICTS.has(result.error?.code ?? '') ? 'allButHeld' : 'none';
    default:
      return 'none';
  }
}

export const mutationKey = (clientId: string, mutationId: string) => `${clientId}/${mutationId}`;

export class Ledger {
  readonly answers: Answer[] = [];
  private readonly byMutation = new Map<string, Answer[]>();

  /** The wiretap: every answer to a push, whether or not the client received it. */
  readonly observe = (request: GraphQLBody, answer: GraphQLAnswer): void => {
    const results = answer.data?.pushChanges?.results as ChangeResult[] | undefined;
    if (!results) return;
    const clientId = request.variables.clientId as string;
    const changes = request.variables.changes as ChangeInput[];
    results.forEach((result, i) => {
      const entry: Answer = { seq: this.answers.length, clientId, change: changes[i]!, result };
      this.answers.push(entry);
      const key = mutationKey(clientId, result.mutationId);
      this.byMutation.set(key, [...(this.byMutation.get(key) ?? []), entry]);
    });
  };

  /** Every answer given to one (clientId, mutationId), first to last. */
  answersFor(clientId: string, mutationId: string): Answer[] {
    return this.byMutation.get(mutationKey(clientId, mutationId)) ?? [];
  }

  /** All (clientId, mutationId) pairs the server answered, with their answers. */
  mutations(): IterableIterator<[string, Answer[]]> {
    return this.byMutation.entries();
  }

  /**
   * The answer that decided a change: its first answer other than DUPLICATE (a
   * resend or a repeat is answered DUPLICATE; a REJECTED change may be sent again).
   * Null when the server never decided it.
   */
  decision(clientId: string, mutationId: string): Answer | null {
    const answers = this.answersFor(clientId, mutationId);
    return answers.find((a) => a.result.status !== 'DUPLICATE' && a.result.status !== 'REJECTED') ?? null;
  }

  /** Decided changes, in server order. */
  decisions(): Answer[] {
    return this.answers.filter((a) => this.decision(a.clientId, a.result.mutationId) === a);
  }
}
