/**
 * The browser project tests the built notes app as the gateway serves it: build
 * it once before the run (client/app/vite.config.ts, into client/app/dist, the
 * same output `npm start` serves). A child process, so Vite's build never
 * shares state with the Vite instance running the tests.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export default async function buildApp() {
  const viteBin = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const started = Date.now();
  let output = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [viteBin, 'build', '--config', 'client/app/vite.config.ts', '--logLevel', 'warn'], {
      cwd: repoRoot,
      // Vitest sets NODE_ENV=test, which would give React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`building the notes app failed (vite build exited with ${code}):\n${output}`);
  console.log(`notes app built in ${Date.now() - started} ms`);
}
