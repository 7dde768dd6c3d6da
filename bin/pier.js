#!/usr/bin/env node
// The CLI is bundled by `npm run build` (run by `npm ci` through `prepare`).
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('pier: the CLI is not built yet. Run `npm run build` in the Pier folder first.\n');
  process.exit(1);
}
// Node 22.1+ keeps the compiled CLI on disk between runs: a quicker start. (No-op on Node 20.)
module.enableCompileCache?.();
await import(cli);
