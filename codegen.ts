import type { CodegenConfig } from '@graphql-codegen/cli';

// Types generated from schema/: the server's resolver signatures now; the
// client's typed documents join here when client/ exists.
const config: CodegenConfig = {
  schema: 'schema/**/*.graphql',
  generates: {
    'server/generated/resolvers.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        contextType: '../context.ts#GatewayContext',
        scalars: { DateTime: 'Date | string', JSON: 'unknown', ID: 'string' },
        // Records travel as plain snapshots tagged with their type name.
        mappers: { SyncRecord: '../sync/records.ts#RecordSnapshot' },
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
      },
    },
  },
};

export default config;
