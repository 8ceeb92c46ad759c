/**
 * One case: N simulated clients in a fresh workspace run the generated steps,
 * then reach quiescence (all online, no faults, every outbox answered, every
 * replica at the head), and the final state is checked against the model.
 */
import { newWorkspace, postGraphQL, type TestGateway } from '../helpers/gateway.ts';
import { describeStep, performStep, type Step } from './actions.ts';
import { allViolations, type ServerView } from './checks.ts';
import { SimClient } from './client.ts';
import { describeResult } from './describe.ts';
import { Ledger } from './ledger.ts';
import { LISTS, PULL, type ChangeBatch, type ChangeResult, type PulledChange, type SyncRecord } from './protocol.ts';
import type { Trace } from './trace.ts';
import { FaultyTransport, type Wiretap } from './transport.ts';

/** Rounds of "every client syncs" after the steps: the first sends every outbox, the second brings everyone to the head. */
const QUIESCENT_ROUNDS = 2;
const QUIESCENT_PLAN = { batchSize: 50, pageSize: null, faults: [] };

export interface CaseOutcome {
  violations: string[];
  /** Every answer the server gave in this case. */
  ledger: Ledger;
}

/** Throws when the protocol itself breaks mid-case (a change pulled twice, a GraphQL error); `trace` keeps what happened. */
export async function runCase(gw: TestGateway, steps: Step[], clientCount: number, trace: Trace): Promise<CaseOutcome> {
  const token = await gw.token(newWorkspace());
  const ledger = new Ledger();
  const wiretap: Wiretap = (request, answer) => {
    ledger.observe(request, answer);
    const results = answer.data?.pushChanges?.results as ChangeResult[] | undefined;
    if (results) trace.log(`      server answered ${results.map(describeResult).join(' | ')}`);
  };
  const clients = Array.from({ length: clientCount }, (_, i) => new SimClient(i, new FaultyTransport(gw.url, token, wiretap, trace), trace));

  for (const [i, step] of steps.entries()) {
    trace.log(`step ${i}: ${describeStep(step)}`);
    await performStep(step, clients[step.client]!);
  }

  trace.log('quiescence: every client online, no faults');
  for (const client of clients) client.transport.online = true;
  for (let round = 0; round < QUIESCENT_ROUNDS; round++) {
    for (const client of clients) {
      if (!(await client.sync(QUIESCENT_PLAN))) throw new Error(`${client.clientId} could not sync without faults`);
    }
  }

  const server = await serverView(gw, token);
  return { violations: allViolations(clients, ledger, server), ledger };
}

/** The server's state as a newcomer sees it: a full pull from scratch and the list queries. */
async function serverView(gw: TestGateway, token: string): Promise<ServerView> {
  const log: PulledChange[] = [];
  let since: string | null = null;
  for (;;) {
    const answer: { data?: { pullChanges: ChangeBatch }; errors?: unknown } = await postGraphQL(gw.url, token, PULL, { since, limit: 5000 });
    if (!answer.data) throw new Error(`full pull failed: ${JSON.stringify(answer.errors)}`);
    log.push(...answer.data.pullChanges.changes);
    since = answer.data.pullChanges.syncToken;
    if (!answer.data.pullChanges.hasMore) break;
  }
  const lists = await postGraphQL<ServerView['lists']>(gw.url, token, LISTS);
  if (!lists.data) throw new Error(`list queries failed: ${JSON.stringify(lists.errors)}`);
  return { log, lists: lists.data as { notes: SyncRecord[]; folders: SyncRecord[]; conflicts: SyncRecord[] } };
}
