// Builds everything that runs: the CLI, the Electron main process, the engine
// host and the preload (esbuild), and the renderer (Vite). `npm ci` runs this through `prepare`.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { build as esbuild } from 'esbuild';
import { build as vite } from 'vite';

rmSync('dist', { recursive: true, force: true });

const node = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };

/** The engine host runs in plain Node (a utility process, or child_process.fork in tests): electron must never be in it. */
async function buildEngineHost() {
  const result = await esbuild({
    ...node,
    entryPoints: { 'engine-host': 'main/engine-host.ts' },
    outfile: 'dist/main/engine-host.cjs',
    format: 'cjs',
    packages: 'external',
    metafile: true,
  });
  const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((i) => i.path));
  if (imports.includes('electron')) throw new Error('dist/main/engine-host.cjs imports electron; the engine host must be plain Node.');
}

await Promise.all([
  buildEngineHost(),
  // The CLI runs on the user's Node. Its dependencies are bundled in: resolving
  // and loading zod's and mime-types' many files cost ~80 ms of every start.
  // The two it loads only on demand (certificates, QR codes) stay in node_modules.
  esbuild({
    ...node,
    entryPoints: { cli: 'app/cli.ts' },
    outdir: 'dist',
    format: 'esm',
    external: ['selfsigned', 'qrcode'],
    // Bundled CommonJS dependencies call require() for Node's built-ins.
    banner: { js: "import { createRequire as pierCreateRequire } from 'node:module'; const require = pierCreateRequire(import.meta.url);" },
  }),
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

// The tray icon, beside index.cjs where main loads it (Electron picks the @2x file on high-density screens).
// Drawn from build/icon.svg at 32 and 64 px; packaged with dist/.
mkdirSync('dist/main', { recursive: true });
for (const icon of ['tray-icon.png', 'tray-icon@2x.png']) copyFileSync(`build/${icon}`, `dist/main/${icon}`);

if (existsSync('renderer/vite.config.ts')) {
  await vite({ configFile: 'renderer/vite.config.ts', logLevel: 'warn' });
}
