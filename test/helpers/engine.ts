import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

import { buildSync } from 'esbuild';

import { fromChildProcess, type EngineProcess } from '../../app/engine-channel';

const ROOT = path.resolve(import.meta.dirname, '../..');

let bundle: string | null = null;
/**
 * The engine host built from source for this test run, as scripts/build.mjs
 * builds it (dependencies stay in node_modules, so it lives under it). Built
 * once per test process: forking through tsx instead costs seconds per start.
 */
function engineHostBundle(): string {
  if (bundle) return bundle;
  const dir = path.join(ROOT, 'node_modules', '.cache', 'pier-tests');
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, `engine-host-${process.pid}.cjs`);
  buildSync({
    entryPoints: [path.join(ROOT, 'main', 'engine-host.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
  });
  process.on('exit', () => rmSync(outfile, { force: true }));
  bundle = outfile;
  return outfile;
}

/**
 * Starts the engine host as a Node child process, as the e2e harness starts
 * its bundle and the app starts it as a utility process. `children` keeps
 * every process started, to check or end them.
 */
export function engineForker(): { fork: () => EngineProcess; children: ChildProcess[]; killAll(): void } {
  const children: ChildProcess[] = [];
  return {
    children,
    fork() {
      const child = fork(engineHostBundle(), [], { serialization: 'advanced', stdio: 'inherit', execArgv: [] });
      children.push(child);
      return fromChildProcess(child);
    },
    killAll() {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Resolves once the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
