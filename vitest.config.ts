import { defineConfig } from 'vitest/config';

// Every integration suite runs twice: on embedded PGlite and on real PostgreSQL.
// Files under tests/postgres/ and tests/pglite/ test what only one of them can show
// (concurrent commits; an embedded data directory surviving a restart).
export default defineConfig({
  // graphql ships ESM and CJS builds; without one entry vitest can load both and
  // graphql-js then refuses types "from another module or realm".
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'pglite',
          include: [
            'tests/integration/**/*.test.ts',
            'tests/client/**/*.test.ts',
            'tests/pglite/**/*.test.ts',
            // The convergence property (tests/convergence) runs a few hundred cases: once, on PGlite.
            'tests/convergence/**/*.test.ts',
          ],
          env: { TEST_DATABASE: 'pglite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['tests/integration/**/*.test.ts', 'tests/client/**/*.test.ts', 'tests/postgres/**/*.test.ts'],
          env: { TEST_DATABASE: 'postgres' },
          globalSetup: ['tests/setup/require-postgres.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          env: { TEST_DATABASE: 'pglite' },
          // The notes app test drives the built app (client/app/dist) as the gateway serves it.
          globalSetup: ['tests/setup/build-app.ts'],
        },
      },
    ],
  },
});
