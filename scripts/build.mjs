// Builds everything that runs: the CLI, the Electron main process and preload
// (esbuild), and the renderer (Vite). `npm ci` runs this through `prepare`.
import { existsSync, rmSync } from 'node:fs';
import { build as esbuild } from 'esbuild';
import { build as vite } from 'vite';

rmSync('dist', { recursive: true, force: true });

const node = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };

await Promise.all([
  // The CLI runs on the user's Node; dependencies stay in node_modules.
  esbuild({ ...node, entryPoints: { cli: 'app/cli.ts' }, outdir: 'dist', format: 'esm', packages: 'external' }),
  // Electron's main process: CommonJS, electron provided by the runtime.
  esbuild({
    ...node,
    entryPoints: { index: 'main/index.ts' },
    outfile: 'dist/main/index.cjs',
    format: 'cjs',
    external: ['electron'],
    packages: 'external',
  }),
  // A sandboxed preload must be one self-contained CommonJS file.
  esbuild({
    ...node,
    entryPoints: { preload: 'main/preload.ts' },
    outfile: 'dist/main/preload.cjs',
    format: 'cjs',
    external: ['electron'],
    minify: true,
  }),
]);

if (existsSync('renderer/vite.config.ts')) {
  await vite({ configFile: 'renderer/vite.config.ts', logLevel: 'warn' });
}
