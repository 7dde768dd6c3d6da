// Builds everything that runs: the CLI bundle (and, once they exist, the
// Electron main process, the preload and the renderer).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });

await build({
  entryPoints: { cli: 'app/cli.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  // Dependencies stay in node_modules: they are installed with the app.
  packages: 'external',
  logLevel: 'warning',
});
