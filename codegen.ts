import type { CodegenConfig } from '@graphql-codegen/cli';

// Everything generated from schema/: the server's resolver signatures, and the
// client's typed documents (urql infers hook types from them) plus the schema
// summary graphcache uses to match fragments on interfaces, and the sync rules
// (strategies) the client mirrors optimistically.
const scalars = { DateTime: 'string', JSON: 'unknown', ID: 'string' };

const config: CodegenConfig = {
  schema: 'schema/**/*.graphql',
  generates: {
    'server/generated/resolvers.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        contextType: '../context.ts#GatewayContext',
        scalars: { ...scalars, DateTime: 'Date | string' },
        // Records travel as plain snapshots tagged with their type name.
        mappers: { SyncRecord: '../sync/records.ts#RecordSnapshot', SyncConflict: '../sync/records.ts#RecordSnapshot' },
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
      },
    },
    'client/generated/': {
      preset: 'client',
      documents: ['client/documents/**/*.graphql', 'client/app/src/**/*.graphql'],
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, scalars },
    },
    // Each synced type's field strategies, delete policy, @unique and @references,
    // so the client's optimistic layer mirrors what the server will do.
    'client/generated/sync-strategies.ts': {
      plugins: ['./client/codegen/sync-strategies.cjs'],
    },
    'client/generated/introspection.ts': {
      plugins: ['urql-introspection'],
      config: { module: 'es2015', includeScalars: false, useTypeImports: true },
    },
  },
};

export default config;
