/** Loads the SDL from schema/ (every .graphql file below it) as one document. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const schemaDir = fileURLToPath(new URL('../schema/', import.meta.url));

export function loadTypeDefs(dir = schemaDir): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(join(dir, file), 'utf8'));
}
