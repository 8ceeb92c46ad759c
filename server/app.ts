/**
 * Assembles the gateway from its parts, in one place: the schema and resolvers,
 * the plugins, GraphQL over HTTP and SSE (yoga), and graphql-ws on the same path.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { buildSchema, type ExecutionArgs } from 'graphql';
import type { OpenDatabase } from '../db/client.ts';
import { syncedTables } from '../db/schema.ts';
import { createTokenVerifier, signToken, type Viewer } from './auth.ts';
import type { GatewayConfig } from './config.ts';
import { requireViewer, type GatewayContext } from './context.ts';
import { useAuth } from './plugins/auth.ts';
import { useErrorCodes } from './plugins/error-codes.ts';
import { resolvers } from './resolvers.ts';
import { loadTypeDefs } from './schema.ts';
import { loadOrCreateSecret } from './secrets.ts';
import { createStaticHandler, DEFAULT_APP_DIR } from './static.ts';
import { buildEntityRegistry } from './sync/entities.ts';
import { findListFields } from './sync/lists.ts';
import { LocalChangeNotifier, type ChangeNotifier } from './sync/notifier.ts';
import { SyncService } from './sync/service.ts';
import { SyncTokenCodec } from './sync/tokens.ts';

export const GRAPHQL_PATH = '/graphql';
/** What the notes app needs to start: where GraphQL is, and the dev token in dev mode. */
export const APP_CONFIG_PATH = '/app-config.json';
export const DEV_VIEWER: Viewer = { userId: 'dev-user', workspaceId: 'dev' };

export interface Gateway {
  httpServer: Server;
  yoga: YogaServerInstance<{}, { sync: SyncService }>;
  sync: SyncService;
  notifier: ChangeNotifier;
  /** Set in dev mode (no JWT_SECRET): a token for the dev workspace, valid for 30 days. */
  devToken: string | null;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  database: OpenDatabase;
  config: Pick<GatewayConfig, 'jwtSecret' | 'limits' | 'graphiql'>;
  notifier?: ChangeNotifier;
  /**
   * The built notes app, served at `/` (default: client/app/dist, the output of
   * `npm run build:app`); null serves no app.
   */
  appDir?: string | null;
}

const EXAMPLE_QUERY = `# Pull everything from the start; pass syncToken as "since" next time.
query Pull {
  pullChanges(since: null) {
    syncToken
    hasMore
    changes {
      op
      entityType
      record { id version updatedAt deleted ... on Note { title body pinned folderId } }
    }
  }
}

# Push a new note (ids are client-generated UUIDs).
mutation Push {
  pushChanges(clientId: "graphiql", changes: [{
    mutationId: "m-1", entityType: "Note", entityId: "6f1c2a4e-0000-4000-8000-000000000001", op: INSERT,
    data: { title: "Hello", body: "From GraphiQL", pinned: false }
  }]) {
    results { mutationId status error { code message } record { id version } }
  }
}

subscription Live {
  changes(since: null) { syncToken hasMore changes { op entityId record { version } } }
}
`;

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { database, config } = options;
  const { db } = database;

  const jwtSecret = config.jwtSecret ?? (await loadOrCreateSecret(db, 'dev_jwt_secret'));
  const devToken = config.jwtSecret ? null : await signToken(jwtSecret, DEV_VIEWER, { expiresIn: '30d' });
  const tokens = new SyncTokenCodec(Buffer.from(await loadOrCreateSecret(db, 'sync_token_key'), 'base64url'));

  const typeDefs = loadTypeDefs();
  // The registry comes from the SDL alone; the executable schema then gets the
  // fixed resolvers plus one list resolver per synced type's list field.
  const sdl = buildSchema(typeDefs.join('\n'));
  const entities = buildEntityRegistry(sdl, syncedTables);
  const listResolvers = Object.fromEntries(
    [...findListFields(sdl, entities)].map(([field, entity]) => [
      field,
      (_root: unknown, _args: unknown, ctx: GatewayContext) => ctx.sync.list(requireViewer(ctx), entity),
    ]),
  );
  const schema = createSchema<{ sync: SyncService }>({
    typeDefs,
    resolvers: [resolvers, { Query: listResolvers }] as never,
  });
  const notifier = options.notifier ?? new LocalChangeNotifier();
  const sync = new SyncService({
    db,
    entities,
    tokens,
    notifier,
    limits: config.limits,
  });

  const yoga = createYoga({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    context: { sync },
    graphiql: config.graphiql
      ? {
          title: 'Sync gateway',
          defaultQuery: EXAMPLE_QUERY,
          headers: devToken ? JSON.stringify({ Authorization: `Bearer ${devToken}` }, null, 2) : undefined,
        }
      : false,
    // Rendered from the installed package: no CDN, so it works offline. Loaded
    // only when GraphiQL is on: the bundled editor is tens of MB of memory.
    renderGraphiQL: config.graphiql ? (await import('@graphql-yoga/render-graphiql')).renderGraphiQL : undefined,
    plugins: [useAuth(createTokenVerifier(jwtSecret)), useErrorCodes()],
  });

  const appDir = options.appDir === undefined ? DEFAULT_APP_DIR : options.appDir;
  const serveApp = appDir ? createStaticHandler(appDir) : null;
  // Public by design: in dev mode GraphiQL shows the same token to anyone who opens it.
  const appConfig = JSON.stringify({ graphqlPath: GRAPHQL_PATH, devToken });

  const httpServer = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === GRAPHQL_PATH || path.startsWith(`${GRAPHQL_PATH}/`)) {
      void yoga.requestListener(req, res);
      return;
    }
    if (path === APP_CONFIG_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      res
        .writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' })
        .end(req.method === 'HEAD' ? undefined : appConfig);
      return;
    }
    if (!serveApp) {
      if (path === '/' && req.method === 'GET') {
        res.writeHead(302, { location: GRAPHQL_PATH }).end();
        return;
      }
      void yoga.requestListener(req, res);
      return;
    }
    serveApp(req, res).then(
      (handled) => {
        if (!handled) void yoga.requestListener(req, res);
      },
      (error: unknown) => {
        console.error('serving the app failed', error);
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      },
    );
  });

  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
  const wsDisposable = useServer(
    {
      execute: (args) => (args.rootValue as { execute(a: ExecutionArgs): unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe(a: ExecutionArgs): unknown }).subscribe(args) as never,
      onSubscribe: async (ctx, _id, payload) => {
        const enveloped = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          connectionParams: ctx.connectionParams,
          upgradeAuthorization: ctx.extra.request.headers.authorization,
        });
        const document = enveloped.parse(payload.query);
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        return {
          schema: enveloped.schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
      },
    },
    wsServer,
  );

  return {
    httpServer,
    yoga,
    sync,
    notifier,
    devToken,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve((httpServer.address() as AddressInfo).port));
      }),
    async close() {
      await wsDisposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      // SSE streams are long-lived responses: end them, or close() waits forever.
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await yoga.dispose();
    },
  };
}
