/**
 * The real entry point (server/main.ts) as a child process, started the way
 * `npm start` does (`node --import tsx server/main.ts`: one process, so signals
 * reach the server itself), for tests of what only a whole process shows:
 * restarts on the same data, a crash in the middle of a push.
 *
 * Each server still gets its own process group, and kill() / cleanup signal the
 * whole group, so nothing it might spawn outlives a test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PULL, PUSH, type ChangeInput } from './sync.ts';
import { postGraphQL, type GraphQLResponse } from './gateway.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  /** GraphQL endpoint, always reached on 127.0.0.1. */
  url: string;
  port: number;
  /** Printed in dev mode (no JWT_SECRET), null otherwise. */
  devToken: string | null;
  pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  graphql<T = any>(token: string | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** SIGTERM (as a supervisor sends it) to the server process; resolves with its exit code once the whole group is gone. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL to the whole process group: a crash. Resolves once every process of it is gone. */
  kill(): Promise<void>;
}

const running = new Set<ChildProcess>();

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

async function waitGroupGone(pgid: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) throw new Error(`process group ${pgid} still alive after ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// A vitest worker that dies must not leave servers behind.
process.once('exit', () => {
  for (const child of running) if (child.pid) killGroup(child.pid, 'SIGKILL');
});

/** SIGKILLs every server this module started that is still running. For afterAll. */
export async function killAllServerProcesses() {
  const children = [...running];
  for (const child of children) if (child.pid) killGroup(child.pid, 'SIGKILL');
  await Promise.all(children.map((child) => (child.pid ? waitGroupGone(child.pid, 10_000) : undefined)));
  running.clear();
}

/**
 * Starts `node --import tsx server/main.ts` with a minimal environment plus `env` (PORT=0 and
 * HOST=127.0.0.1 unless given) and waits until it prints where it listens.
 */
export async function startServerProcess(
  env: Record<string, string>,
  options: { readyTimeoutMs?: number; /** Extra node flags, e.g. --cpu-prof (not allowed in NODE_OPTIONS). */ nodeArgs?: string[] } = {},
): Promise<ServerProcess> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const inherited = Object.fromEntries(
    ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])),
  );
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', 'server/main.ts'], {
    cwd: repoRoot,
    env: { ...inherited, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  const pid = child.pid!;
  const devMode = !env.JWT_SECRET;

  let out = '';
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
  });

  const ready = new Promise<{ port: number; devToken: string | null }>((resolve, reject) => {
    const check = () => {
      const listening = /sync gateway on http:\/\/[^\s:/]+:(\d+)\/graphql/.exec(out);
      const token = /Authorization: Bearer (\S+)/.exec(out);
      if (listening && (!devMode || token)) resolve({ port: Number(listening[1]), devToken: token?.[1] ?? null });
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      check();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`server exited (code ${code}) before it was ready:\n${out}`)));
    setTimeout(() => reject(new Error(`server not ready after ${readyTimeoutMs}ms:\n${out}`)), readyTimeoutMs).unref();
  });

  let started: { port: number; devToken: string | null };
  try {
    started = await ready;
  } catch (error) {
    killGroup(pid, 'SIGKILL');
    await waitGroupGone(pid, 10_000).catch(() => {});
    throw error;
  }

  const url = `http://127.0.0.1:${started.port}/graphql`;
  return {
    url,
    port: started.port,
    devToken: started.devToken,
    pid,
    output: () => out,
    graphql: (token, query, variables) => postGraphQL(url, token, query, variables),
    async stop(timeoutMs = 30_000) {
      if (!groupAlive(pid)) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), timeoutMs);
      try {
        const code = await exited;
        await waitGroupGone(pid, timeoutMs);
        return code;
      } finally {
        clearTimeout(timer);
      }
    },
    async kill() {
      killGroup(pid, 'SIGKILL');
      await exited;
      await waitGroupGone(pid, 10_000);
    },
  };
}

/** The helpers of sync.ts, for a server process instead of an in-process gateway. */
export async function pushTo(server: ServerProcess, token: string, changes: ChangeInput[], clientId = 'client-a') {
  const response = await server.graphql(token, PUSH, { clientId, changes });
  if (response.errors) throw new Error(`push failed: ${JSON.stringify(response.errors)}`);
  return response.data.pushChanges.results as any[];
}

export async function pullFrom(server: ServerProcess, token: string, since: string | null = null, limit?: number) {
  const response = await server.graphql(token, PULL, { since, limit });
  if (response.errors) throw new Error(`pull failed: ${JSON.stringify(response.errors)}`);
  return response.data.pullChanges as { syncToken: string; hasMore: boolean; changes: any[] };
}

export async function pullAllFrom(server: ServerProcess, token: string, since: string | null = null, limit?: number) {
  const changes: any[] = [];
  let cursor = since;
  for (;;) {
    const page = await pullFrom(server, token, cursor, limit);
    changes.push(...page.changes);
    cursor = page.syncToken;
    if (!page.hasMore) return { changes, syncToken: cursor };
  }
}
