/**
 * `pier export DIR [serve flags] --to caddy|nginx`, spawned as a user runs
 * it (through tsx, from the sources: dist/ may be older than them).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';

import { PROJECT } from '../helpers/cli';

async function folder(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pier-export-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function pier(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const out = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT, 'app', 'cli.ts'), ...args], {
    cwd: PROJECT,
    encoding: 'utf8',
    timeout: 30_000,
    env,
  });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('pier export', () => {
  it('prints an nginx block built from the serve flags', async (t) => {
    const dir = await folder(t);
    const out = pier(['export', dir, '--to', 'nginx', '--spa', '--no-listing', '--port', '9000', '-H', 'X-Frame-Options: DENY', '--auth', 'ann:pw']);
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /^# Written by Pier \(pier export --to nginx\)/);
    assert.match(out.stdout, /listen 127\.0\.0\.1:9000;/);
    assert.match(out.stdout, /autoindex off;/);
    assert.match(out.stdout, /location @pier_9000_spa/);
    assert.match(out.stdout, /add_header X-Frame-Options "DENY" always;/);
    assert.match(out.stdout, /# {3}ann:\{SSHA\}/, 'the htpasswd line is printed too');
    assert.match(out.stderr, /note: Basic auth/);
  });

  it('writes a Caddyfile to --out', async (t) => {
    const dir = await folder(t);
    const file = path.join(dir, 'Caddyfile');
    const out = pier(['export', dir, '--to', 'caddy', '--cors', '--out', file]);
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stdout, '');
    const text = await readFile(file, 'utf8');
    assert.match(text, /^# Written by Pier \(pier export --to caddy\)/);
    assert.match(text, /@pier_preflight method OPTIONS/);
  });

  it('exits 2 with a message on a usage error, 1 for a missing folder', async (t) => {
    const dir = await folder(t);
    const noTarget = pier(['export', dir]);
    assert.equal(noTarget.status, 2);
    assert.match(noTarget.stderr, /--to/);
    const wrongTarget = pier(['export', dir, '--to', 'apache']);
    assert.equal(wrongTarget.status, 2);
    assert.match(wrongTarget.stderr, /caddy, nginx/);
    const missing = pier(['export', path.join(dir, 'nope'), '--to', 'caddy']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /does not exist/);
  });
});
