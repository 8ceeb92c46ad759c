import { buildSchema } from 'graphql';
import { syncedTables } from '../../db/schema.ts';
import { buildEntityRegistry } from '../../server/sync/entities.ts';
import { loadTypeDefs } from '../../server/schema.ts';

/** The registry exactly as the server builds it, from schema/ and db/schema.ts. */
export function realRegistry() {
  return buildEntityRegistry(buildSchema(loadTypeDefs().join('\n')), syncedTables);
}
