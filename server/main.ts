/**
 * Entry point: read the configuration (the only place that reads process.env),
 * open and migrate the database, serve.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../db/client.ts';
import { createGateway, GRAPHQL_PATH } from './app.ts';
import { ConfigError, readConfig } from './config.ts';

async function main() {
  const config = readConfig(process.env);
  const where = config.database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.database.dataDir}`;
  const database = await openDatabase(config.database);
  const gateway = await createGateway({ database, config, appDir: config.appDir });
  const port = await gateway.listen(config.port, config.host);
  // Before the line that says where it listens: whoever waits for that line may signal at once.
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: shutting down (draining for at most ${config.shutdownTimeoutMs} ms)`);
    // The drain is bounded; this is for a close that hangs anyway.
    setTimeout(() => {
      console.error('shutdown did not finish: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 10_000).unref();
    try {
      await gateway.close();
      await database.close();
    } catch (error) {
      console.error('shutdown failed', error);
      process.exit(1);
    }
    console.log('shut down');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const shown = config.host === '0.0.0.0' ? 'localhost' : config.host;
  console.log(`sync gateway on http://${shown}:${port}${GRAPHQL_PATH} (database: ${where})`);
  const appBuilt = existsSync(join(config.appDir, 'index.html'));
  console.log(
    appBuilt
      ? `notes app: open http://${shown}:${port}/ in a browser`
      : `notes app: not built in ${config.appDir} (run npm run build:app)`,
  );
  if (config.graphiql) console.log(`GraphiQL: open http://${shown}:${port}${GRAPHQL_PATH} in a browser`);
  if (gateway.devToken) {
    console.log('dev mode: JWT_SECRET is not set, so a generated secret kept in the database signs tokens.');
    console.log(`dev token (workspace "dev", pre-filled in GraphiQL):\n  Authorization: Bearer ${gateway.devToken}`);
  }
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
