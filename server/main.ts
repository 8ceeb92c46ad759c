/**
 * Entry point: read the configuration (the only place that reads process.env),
 * open and migrate the database, serve.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../db/client.ts';
import { createGateway, GRAPHQL_PATH } from './app.ts';
import { ConfigError, readConfig } from './config.ts';
import { createLogger, type Logger } from './logger.ts';

let logger: Logger | null = null;

async function main() {
  const config = readConfig(process.env);
  const log = (logger = createLogger(config.logLevel));
  const where = config.database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.database.dataDir}`;
  const database = await openDatabase(config.database);
  const gateway = await createGateway({ database, config, appDir: config.appDir, metrics: config.metrics, logger: log });
  const port = await gateway.listen(config.port, config.host);
  // Before the line that says where it listens: whoever waits for that line may signal at once.
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, `${signal}: shutting down (draining for at most ${config.shutdownTimeoutMs} ms)`);
    // The drain is bounded; this is for a close that hangs anyway.
    setTimeout(() => {
      log.error('shutdown did not finish: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 10_000).unref();
    try {
      await gateway.close();
      await database.close();
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
    log.info('shut down');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const shown = config.host === '0.0.0.0' ? 'localhost' : config.host;
  const origin = `http://${shown}:${port}`;
  // Each message reads as the sentence it replaces; the fields repeat its facts for machines.
  log.info({ database: where }, `sync gateway on ${origin}${GRAPHQL_PATH} (database: ${where})`);
  if (existsSync(join(config.appDir, 'index.html'))) log.info(`notes app: open ${origin}/ in a browser`);
  else log.warn({ appDir: config.appDir }, `notes app: not built in ${config.appDir} (run npm run build:app)`);
  if (config.graphiql) log.info(`GraphiQL: open ${origin}${GRAPHQL_PATH} in a browser`);
  log.info(`health: ${origin}/health, readiness: ${origin}/ready${config.metrics ? `, metrics: ${origin}/metrics` : ''}`);
  if (gateway.devToken) {
    log.warn('dev mode: JWT_SECRET is not set, so a generated secret kept in the database signs tokens');
    // Printed for the person at the terminal, never into the JSON log: a token is a credential.
    console.log(`dev token (workspace "dev", pre-filled in GraphiQL):\n  Authorization: Bearer ${gateway.devToken}`);
  }
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(error.message);
  else if (logger) logger.fatal({ err: error }, 'the gateway stopped');
  else console.error(error);
  process.exit(1);
});
