/**
 * Assembles the gateway from its parts, in one place: the schema and resolvers,
 * the plugins, GraphQL over HTTP and SSE (yoga), and graphql-ws on the same path.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga, type YogaServerInstance } from 'graphql-yoga';
import { Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { buildSchema, GraphQLError, type ExecutionArgs } from 'graphql';
import { migrationsFolder, type OpenDatabase } from '../db/client.ts';
import { syncedTables } from '../db/schema.ts';
import { createTokenVerifier, signToken, type Viewer } from './auth.ts';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, type CompactionConfig, type GatewayConfig } from './config.ts';
import { requireViewer, type GatewayContext } from './context.ts';
import { createHealthHandler, drizzleProbe, HEALTH_PATHS, readMigrationJournal } from './health.ts';
import { silentLogger, yogaLogger, type Logger } from './logger.ts';
import { createSyncMetrics } from './metrics.ts';
import { useAuth } from './plugins/auth.ts';
import { useBodyLimit } from './plugins/body-limit.ts';
import { useErrorCodes } from './plugins/error-codes.ts';
import { METRICS_PATH, useMetrics } from './plugins/metrics.ts';
import { useOperationLog } from './plugins/operation-log.ts';
import { assignRequestId, assignUpgradeRequestId } from './request-id.ts';
import { errorMasking } from './plugins/error-masking.ts';
import { useMediaTypeError } from './plugins/media-type.ts';
import { useNoIntrospection } from './plugins/no-introspection.ts';
import { useQueryLimits } from './plugins/query-limits.ts';
import { useSharedSubscriptionExecution } from './plugins/shared-subscription-execution.ts';
import { useShutdown } from './plugins/shutdown.ts';
import { resolvers } from './resolvers.ts';
import { loadTypeDefs } from './schema.ts';
import { loadOrCreateSecret } from './secrets.ts';
import { closeHttpServer, Drain, shuttingDownError } from './shutdown.ts';
import { createStaticHandler, DEFAULT_APP_DIR } from './static.ts';
import { scheduleCompaction } from './sync/compaction.ts';
import { buildEntityRegistry } from './sync/entities.ts';
import { findListFields } from './sync/lists.ts';
import { LocalChangeNotifier, type ChangeNotifier } from './sync/notifier.ts';
import { PushRateLimiter } from './sync/rate-limit.ts';
import { PostgresChangeNotifier } from './sync/pg-notifier.ts';
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
  /** True once close() has begun: new requests get SHUTTING_DOWN (a readiness probe should fail). */
  readonly isDraining: boolean;
  listen(port: number, host?: string): Promise<number>;
  /**
   * Drains, then closes: refuses new requests, waits for those in flight (at
   * most the shutdown timeout), closes WebSockets with 1012 and ends SSE streams
   * with SHUTTING_DOWN, stops listening for change signals. The database stays
   * open: its owner closes it.
   */
  close(): Promise<void>;
}

export interface GatewayOptions {
  database: OpenDatabase;
  config: Pick<
    GatewayConfig,
    'jwtSecret' | 'limits' | 'graphiql' | 'production' | 'introspection' | 'requestLimits' | 'pushRate'
  > &
    Partial<Pick<GatewayConfig, 'shutdownTimeoutMs'>> & { compaction?: CompactionConfig | null };
  /** Default: PostgreSQL NOTIFY on PostgreSQL (many processes), in-process signals on PGlite (one process). */
  notifier?: ChangeNotifier;
  /**
   * The built notes app, served at `/` (default: client/app/dist, the output of
   * `npm run build:app`); null serves no app.
   */
  appDir?: string | null;
  /** True while the gateway drains for shutdown; /ready then answers 503. */
  isDraining?: () => boolean;
  /** Serve Prometheus metrics at /metrics (default true). */
  metrics?: boolean;
  /** Where the gateway logs (default: nowhere). */
  logger?: Logger;
}

export const EXAMPLE_QUERY = `# Pull everything from the start; pass syncToken as "since" next time.
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
  const pgNotifier =
    !options.notifier && database.kind === 'postgres' && database.listen ? await PostgresChangeNotifier.start({ listen: database.listen }) : null;
  const notifier = options.notifier ?? pgNotifier ?? new LocalChangeNotifier();
  const drain = new Drain();
  const logger = options.logger ?? silentLogger();
  // Per gateway, not prom-client's global registry: several gateways can share a process.
  const metrics = options.metrics === false ? null : new Registry();
  const sync = new SyncService({
    db,
    entities,
    tokens,
    notifier,
    limits: config.limits,
    observer: metrics ? createSyncMetrics(metrics) : undefined,
    pushRate: config.pushRate.perSecond > 0 ? new PushRateLimiter(config.pushRate) : null,
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
    logging: yogaLogger(logger),
    maskedErrors: errorMasking({ exposeDetails: !config.production }),
    // useBodyLimit below, with the gateway's code.
    maxRequestBodySize: false,
    plugins: [
      useShutdown(drain),
      useMediaTypeError(),
      useBodyLimit(config.requestLimits.maxBodyBytes),
      useAuth(createTokenVerifier(jwtSecret)),
      useQueryLimits(config.requestLimits, { hideFieldSuggestions: config.production }),
      ...(config.introspection ? [] : [useNoIntrospection()]),
      useErrorCodes(),
      ...(metrics ? [useMetrics(metrics)] : []),
      useOperationLog(logger),
      // Every resolver below `changes` reads only the event (see the plugin's header).
      useSharedSubscriptionExecution(),
    ],
  });

  const appDir = options.appDir === undefined ? DEFAULT_APP_DIR : options.appDir;
  const serveApp = appDir ? createStaticHandler(appDir) : null;
  // Public by design: in dev mode GraphiQL shows the same token to anyone who opens it.
  const appConfig = JSON.stringify({ graphqlPath: GRAPHQL_PATH, devToken });

  const serveHealth = createHealthHandler({
    probe: drizzleProbe(db),
    migrations: readMigrationJournal(migrationsFolder),
    isDraining: () => drain.draining || (options.isDraining?.() ?? false),
    onProbeError: (error) => logger.warn({ err: error }, 'readiness: the database check failed'),
  });

  const httpServer = createServer((req, res) => {
    const requestId = assignRequestId(req, res);
    const path = (req.url ?? '/').split('?')[0]!;
    if (HEALTH_PATHS.has(path)) {
      void serveHealth(req, res);
      return;
    }
    // While draining, yoga answers every other path with SHUTTING_DOWN.
    if (drain.draining || path === GRAPHQL_PATH || path.startsWith(`${GRAPHQL_PATH}/`) || (metrics && path === METRICS_PATH)) {
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
        logger.error({ requestId, err: error }, 'serving the app failed');
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      },
    );
  });

  const compaction = config.compaction
    ? scheduleCompaction(db, {
        ...config.compaction,
        onReport: (report) => logger.info({ cutoff: report.cutoff, dropped: report.dropped, workspaces: report.compacted }, 'compaction'),
        onError: (error) => logger.error({ err: error }, 'compaction failed; the next pass retries'),
      })
    : null;

  const wsServer = new WebSocketServer({
    server: httpServer,
    path: GRAPHQL_PATH,
    verifyClient: (_info, accept) => (drain.draining ? accept(false, 503, 'Service Unavailable: shutting down') : accept(true)),
  });
  wsServer.on('headers', assignUpgradeRequestId);
  const wsDisposable = useServer(
    {
      execute: (args) => (args.rootValue as { execute(a: ExecutionArgs): unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe(a: ExecutionArgs): unknown }).subscribe(args) as never,
      onSubscribe: async (ctx, _id, payload) => {
        if (drain.draining) return [shuttingDownError()];
        const enveloped = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          connectionParams: ctx.connectionParams,
          upgradeAuthorization: ctx.extra.request.headers.authorization,
        });
        let document;
        try {
          document = enveloped.parse(payload.query);
        } catch (error) {
          // A syntax error or the token limit: an error result, as over HTTP, not a closed socket.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
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
    get isDraining() {
      return drain.draining;
    },
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve((httpServer.address() as AddressInfo).port));
      }),
    async close() {
      const deadline = Date.now() + (config.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
      const remaining = () => Math.max(0, deadline - Date.now());
      // Draining starts now, before any await: a request arriving from here on is refused.
      const drained = drain.drain(remaining());
      await compaction?.stop();
      if (!(await drained)) logger.error({ inFlight: drain.inFlight }, 'shutdown: requests still in flight after the timeout; cutting them');
      // 1012 "Service Restart": the client reconnects (elsewhere, or here once restarted) and resumes from its token.
      for (const socket of wsServer.clients) socket.close(1012, 'Service Restart');
      drain.endStreams();
      await closeHttpServer(httpServer, remaining(), () => {
        for (const socket of wsServer.clients) socket.terminate();
      });
      await wsDisposable.dispose();
      await yoga.dispose();
      await pgNotifier?.close();
    },
  };
}
