/**
 * `pier serve` stopped by a signal before it listens: bin/pier.js sets its
 * handlers before the CLI bundle loads, so an early Ctrl+C or SIGTERM (a
 * script that gives up at once, a supervisor shutting down) exits 0 like a
 * later one, with nothing left running. (Signals once it listens:
 * cli.test.ts.)
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

import { spawnPier, tempDir } from '../helpers/cli';

/** Processes whose command line names `text` (here: the test's own temp folder). */
function processesNaming(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(text)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // Gone between readdir and read: not running, which is what we look for.
      continue;
    }
  }
  return found;
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} while the CLI is still loading exits 0 and leaves nothing running`, async (t) => {
    const root = await tempDir(t, 'pier-signals-site-');
    await writeFile(path.join(root, 'index.html'), 'hi\n');
    const configHome = await tempDir(t, 'pier-signals-config-');
    // NODE_DEBUG=esm makes Node say on stderr when it starts loading dist/cli.js:
    // bin/pier.js has run its first lines, and nothing is listening yet.
    process.env.NODE_DEBUG = 'esm';
    const pier = spawnPier(t, ['serve', root, '--json'], { configHome });
    delete process.env.NODE_DEBUG;

    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`dist/cli.js never started loading:\n${pier.stderr}`)), 8_000);
      const check = () => {
        if (!pier.stderr.includes('/dist/cli.js')) return;
        clearTimeout(timer);
        pier.child.stderr!.off('data', check);
        resolve();
      };
      pier.child.stderr!.on('data', check);
      check();
    });
    pier.child.kill(signal);

    const exit = await pier.waitForExit(5_000);
    assert.equal(pier.stdout, '', 'the signal came before the listening line');
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.deepEqual(processesNaming(root), []);
  });
}
