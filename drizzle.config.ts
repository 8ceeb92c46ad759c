import { defineConfig } from 'drizzle-kit';

// Only `drizzle-kit generate` uses this: migrations are generated from db/schema.ts
// and committed; the server applies them at start with drizzle's migrator.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.ts',
  out: './db/migrations',
});
