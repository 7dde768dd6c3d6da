#!/usr/bin/env node
// The CLI is bundled by `npm run build` (run by `npm ci` through `prepare`).
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// `pier serve` exits 0 when stopped by Ctrl+C or SIGTERM. Its own handlers
// (app/cli.ts) stop the server gracefully once it listens; these are set
// first, before the CLI loads, so a signal that comes earlier also ends it
// with 0 at once (nothing is listening yet), never with Node's 130/143.
if (process.argv[2] === 'serve') {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (process.listenerCount(signal) === 1) process.exit(0);
    });
  }
}

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('pier: the CLI is not built yet. Run `npm run build` in the Pier folder first.\n');
  process.exit(1);
}
// Node 22.1+ keeps the compiled CLI on disk between runs: a quicker start. (No-op on Node 20.)
module.enableCompileCache?.();
await import(cli);
