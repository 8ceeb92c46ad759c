/**
 * A real gateway on a real port, on the database under test: tests talk to it
 * over HTTP, SSE and WebSocket exactly as clients do.
 */
import { randomUUID } from 'node:crypto';
import { createGateway, type Gateway, type GatewayOptions } from '../../server/app.ts';
import { signToken } from '../../server/auth.ts';
import { readConfig, type GatewayConfig, type SyncLimits } from '../../server/config.ts';
import { openTestDatabase, type TestDatabase } from './database.ts';

export const TEST_JWT_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: { code?: string } }[];
}

/** One GraphQL request over HTTP, as a client sends it. */
export async function postGraphQL<T = any>(
  url: string,
  token: string | null,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

export interface TestGateway {
  url: string;
  wsUrl: string;
  gateway: Gateway;
  database: TestDatabase;
  token(workspaceId: string, userId?: string): Promise<string>;
  graphql<T = any>(token: string | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/**
 * The gateway's own defaults, except push rate limiting (tests replay many
 * pushes in a burst; those that test the limit turn it on) and the compaction
 * schedule (tests of compaction run it themselves, with a cutoff they choose).
 */
export function testGatewayConfig(
  options: { limits?: Partial<SyncLimits>; jwtSecret?: string | null; env?: Record<string, string> } = {},
): GatewayConfig {
  const jwtSecret = options.jwtSecret === undefined ? TEST_JWT_SECRET : options.jwtSecret;
  const config = readConfig({ PUSH_RATE_LIMIT: '0', COMPACTION_HORIZON_HOURS: '0', JWT_SECRET: jwtSecret ?? undefined, ...options.env });
  return { ...config, jwtSecret, limits: { maxBatchSize: 1000, defaultPageSize: 500, maxPageSize: 5000, ...options.limits } };
}

export async function startTestGateway(
  options: {
    limits?: Partial<SyncLimits>;
    poolSize?: number;
    jwtSecret?: string | null;
    gateway?: Omit<GatewayOptions, 'database' | 'config'>;
    /** Environment variables as the gateway reads them (e.g. NODE_ENV, MAX_BODY_BYTES, PUSH_RATE_LIMIT). */
    env?: Record<string, string>;
  } = {},
): Promise<TestGateway> {
  const database = await openTestDatabase({ poolSize: options.poolSize });
  const gateway = await createGateway({
    database,
    config: testGatewayConfig(options),
    ...options.gateway,
  });
  const port = await gateway.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    url,
    wsUrl: url.replace('http', 'ws'),
    gateway,
    database,
    token: (workspaceId, userId = 'user-1') => signToken(TEST_JWT_SECRET, { workspaceId, userId }),
    graphql: (token, query, variables) => postGraphQL(url, token, query, variables),
    async close() {
      await gateway.close();
      await database.close();
    },
  };
}

/** A workspace no other test uses, so tests in one file never see each other's changes. */
export function newWorkspace(): string {
  return `ws-${randomUUID()}`;
}
