/**
 * A server's folder and port as the window changes them: a new folder for a
 * server (its port and settings kept), a folder that vanishes and comes back
 * while the server runs, and a port change that cannot start (the server goes
 * on where it was). Real ports on 127.0.0.1, real temp folders.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { ServerState } from '../../app/contract';
import { ServerManager } from '../../app/server-manager';
import { freePort, occupy, request, tempDir, writeTree } from '../helpers/serve';
import { fdCount, fdsSettle, pollUntil, within } from '../helpers/proc';

let base: string;
let made = 0;
/** A fresh folder with an index.html saying `text`. */
async function folder(text: string): Promise<string> {
  const root = path.join(base, `site-${++made}`);
  await writeTree(root, { 'index.html': text, 'who.txt': text });
  return root;
}
const managers: ServerManager[] = [];

before(async () => {
  base = await tempDir('pier-it-folder-');
});
after(async () => {
  await within(5_000, 'stopping every server', Promise.all(managers.map((m) => m.stopAll())));
  await rm(base, { recursive: true, force: true });
});

function manager(): ServerManager {
  let next = 0;
  const m = new ServerManager({ newId: () => `s${++next}` });
  managers.push(m);
  return m;
}

function value<T>(result: { ok: true; value: T } | { ok: false; code: string; message: string }): T {
  if (!result.ok) assert.fail(`${result.code}: ${result.message}`);
  return result.value;
}

/** Resolve with the first state event of server `id` that `match` accepts. */
function nextState(m: ServerManager, id: string, match: (state: ServerState) => boolean, timeoutMs: number): Promise<ServerState> {
  return within(
    timeoutMs,
    'the expected state',
    new Promise((resolve) => {
      const listener = (state: ServerState) => {
        if (state.id !== id || !match(state)) return;
        m.off('state', listener);
        resolve(state);
      };
      m.on('state', listener);
    }),
  );
}

describe('changing the folder', () => {
  test('a new folder keeps the id, the port and every setting; the running server serves the new folder', async () => {
    const m = manager();
    const port = await freePort();
    const created = value(await m.create({ root: await folder('old'), port, spa: true, cors: true, name: 'Shop' }, { start: true }));
    const next = await folder('new');
    const updated = value(await m.update(created.id, { root: next }));
    assert.equal(updated.id, created.id);
    assert.equal(updated.status, 'running');
    assert.equal(updated.port, port);
    assert.deepEqual(updated.config, { ...created.config, root: next });
    assert.equal((await request(port, '/who.txt')).body, 'new');
  });

  test('a server whose folder is missing runs again once given another folder, on its port', async () => {
    const m = manager();
    const root = await folder('gone');
    const created = value(await m.create({ root }, { start: true }));
    const port = created.port;
    await m.stop(created.id);
    await rm(root, { recursive: true });
    const failed = await m.start(created.id);
    assert.ok(!failed.ok && failed.code === 'FOLDER_MISSING');
    const updated = value(await m.update(created.id, { root: await folder('found') }));
    assert.equal(updated.status, 'running');
    assert.equal(updated.port, port, 'an automatic port asks for the one it had first');
    assert.equal((await request(port!, '/who.txt')).body, 'found');
  });

  test('a missing folder or a file instead of a folder: a specific message, and nothing changed', async () => {
    const m = manager();
    const root = await folder('stays');
    const created = value(await m.create({ root }, { start: true }));
    const missing = path.join(base, 'no-such-folder');
    const file = path.join(root, 'who.txt');
    const notThere = await m.update(created.id, { root: missing });
    assert.ok(!notThere.ok);
    assert.equal(notThere.code, 'FOLDER_MISSING');
    assert.match(notThere.message, /no-such-folder does not exist/);
    const aFile = await m.update(created.id, { root: file });
    assert.ok(!aFile.ok);
    assert.equal(aFile.code, 'NOT_A_FOLDER');
    assert.equal(aFile.message, `${file} is a file, not a folder. Choose the folder that contains it.`);
    const state = value(m.state(created.id));
    assert.equal(state.config.root, root);
    assert.equal(state.status, 'running');
    assert.equal(state.port, created.port);
  });
});

describe('a folder that vanishes while its server runs', () => {
  test('renamed away: an error within 3 s, no files served; put back: running again on the same port', async () => {
    const m = manager();
    const root = await folder('here');
    const created = value(await m.create({ root }, { start: true }));
    const port = created.port!;
    assert.equal((await request(port, '/who.txt')).body, 'here'); // now in the file cache
    const fdsBefore = fdCount();

    const gone = nextState(m, created.id, (s) => s.status === 'error', 3_000);
    await rename(root, `${root}-moved`);
    const error = await gone;
    assert.equal(error.error?.code, 'FOLDER_MISSING');
    assert.match(error.error?.message ?? '', /is gone \(deleted, renamed or unmounted\)/);
    const meanwhile = await request(port, '/who.txt');
    // The whole folder is gone, not a file: 503 saying so (and when to come back), no file from the cache or the moved folder.
    assert.equal(meanwhile.status, 503);
    assert.notEqual(meanwhile.body, 'here');
    assert.match(meanwhile.body, /folder this server shares is gone/);
    assert.equal(meanwhile.headers['retry-after'], '5');

    const back = nextState(m, created.id, (s) => s.status === 'running', 3_000);
    await rename(`${root}-moved`, root);
    const running = await back;
    assert.equal(running.port, port);
    assert.equal((await request(port, '/who.txt')).body, 'here');
    assert.ok((await fdsSettle(fdsBefore)) <= fdsBefore, 'no descriptor leaked');
  });

  test('deleted and made again: the new folder is served, not what was cached from the old one', async () => {
    const m = manager();
    const root = await folder('first');
    const created = value(await m.create({ root }, { start: true }));
    const port = created.port!;
    assert.equal((await request(port, '/who.txt')).body, 'first');

    const gone = nextState(m, created.id, (s) => s.status === 'error', 3_000);
    await rm(root, { recursive: true });
    await gone;
    const back = nextState(m, created.id, (s) => s.status === 'running', 3_000);
    await mkdir(root);
    await writeFile(path.join(root, 'who.txt'), 'second');
    await back;
    assert.equal((await request(port, '/who.txt')).body, 'second');
  });

  test('swapped for another folder between two checks: the new one is served', async () => {
    const m = manager();
    const root = await folder('before');
    const created = value(await m.create({ root, liveReload: true }, { start: true }));
    const port = created.port!;
    assert.equal((await request(port, '/who.txt')).body, 'before');
    const other = await folder('after');
    await rename(root, `${root}-old`);
    await rename(other, root);
    assert.ok(await pollUntil(async () => (await request(port, '/who.txt')).body === 'after', 3_000), 'the new folder is served');
    assert.equal(value(m.state(created.id)).status, 'running');
  });
});

describe('a port change that cannot start', () => {
  test('a running server goes on at the port that worked, and nothing else is offered', async () => {
    const m = manager();
    const port = await freePort();
    const created = value(await m.create({ root: await folder('steady'), port }, { start: true }));
    const blocker = await occupy();
    try {
      const result = await m.update(created.id, { port: blocker.port, spa: true });
      assert.ok(!result.ok);
      assert.equal(result.code, 'PORT_IN_USE');
      assert.equal(result.reverted, true);
      assert.equal(result.suggestedPort, undefined);
      assert.equal(result.message, `Port ${blocker.port} is already in use. Nothing was changed: the server goes on at port ${port}.`);
      const state = value(m.state(created.id));
      assert.equal(state.status, 'running');
      assert.equal(state.port, port);
      assert.equal(state.config.port, port);
      assert.equal(state.config.spa, false, 'the whole change was undone');
      assert.equal((await request(port, '/who.txt')).body, 'steady');
      assert.equal(m.toSettings().servers[0]?.port, port, 'what is saved is what runs');
    } finally {
      await blocker.close();
    }
  });

  test('an automatic port that worked is the one it goes back to', async () => {
    const m = manager();
    const created = value(await m.create({ root: await folder('auto') }, { start: true }));
    const blocker = await occupy();
    try {
      const result = await m.update(created.id, { port: blocker.port });
      assert.ok(!result.ok && result.reverted);
      const state = value(m.state(created.id));
      assert.equal(state.config.port, 'auto');
      assert.equal(state.port, created.port);
    } finally {
      await blocker.close();
    }
  });
});
