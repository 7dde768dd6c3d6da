import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';

import { ServerOptions, type ServerConfig } from '../../app/contract';
import { ServerManager } from '../../app/server-manager';
import { serverNameFor } from '../../app/server-name';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pier-manager-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

function managerFor(t: TestContext, options: ConstructorParameters<typeof ServerManager>[0] = {}): ServerManager {
  const manager = new ServerManager(options);
  t.after(() => manager.stopAll());
  return manager;
}

const config = ({ id, ...over }: Partial<ServerConfig> & Pick<ServerConfig, 'id' | 'root'>): ServerConfig => ({
  ...ServerOptions.parse({ name: id, ...over }),
  id,
});

test('a folder name longer than 80 characters becomes a name of 80 ending in an ellipsis', async (t) => {
  const dir = await tempDir(t);
  const long = 'a-very-long-folder-name-'.repeat(6); // 144 characters; Linux allows 255 bytes
  await fs.mkdir(path.join(dir, long));
  const created = await managerFor(t).create({ root: path.join(dir, long) });
  assert.ok(created.ok, created.ok ? '' : created.message);
  assert.equal(created.value.config.name.length, 80);
  assert.equal(created.value.config.name, `${long.slice(0, 79)}…`);
});

test('a folder whose name is blank is named by its full path', async (t) => {
  const dir = await tempDir(t);
  await fs.mkdir(path.join(dir, '   '));
  const created = await managerFor(t).create({ root: path.join(dir, '   ') });
  assert.ok(created.ok, created.ok ? '' : created.message);
  assert.equal(created.value.config.name, path.join(dir, '   ').trim());
});

test('serverNameFor: the folder name, or the path; never more than 80 characters, never a split character', () => {
  assert.equal(serverNameFor('/home/me/my-site'), 'my-site');
  assert.equal(serverNameFor('/home/me/  padded  '), 'padded');
  assert.equal(serverNameFor('/'), '/');
  assert.equal(serverNameFor(`/srv/${'x'.repeat(80)}`), 'x'.repeat(80));
  assert.equal(serverNameFor(`/srv/${'x'.repeat(81)}`), `${'x'.repeat(79)}…`);
  const deep = `/${'deep/'.repeat(30)}   `;
  const fromPath = serverNameFor(deep);
  assert.equal(fromPath.length, 80);
  assert.ok(fromPath.startsWith('/deep/deep/') && fromPath.endsWith('…'), fromPath);
  // Emoji are two UTF-16 units: the cut never leaves half of one.
  const emoji = serverNameFor(`/srv/${'😀'.repeat(60)}`);
  assert.ok(emoji.length <= 80);
  assert.ok(emoji.endsWith('😀…'), emoji);
  assert.doesNotMatch(emoji, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  // Every derived name is one the schema accepts.
  for (const root of ['/', deep, `/srv/${'😀'.repeat(60)}`, `/srv/${'x'.repeat(200)}`, '/srv/ \t ']) {
    assert.ok(ServerOptions.safeParse({ name: serverNameFor(root), root }).success, root);
  }
});

test('a server whose start throws shows an error; the others still start', async (t) => {
  const dir = await tempDir(t);
  // A LAN server asks for the machine's addresses when it starts: make that throw (a bug).
  const manager = managerFor(t, {
    lanAddresses: () => {
      throw new Error('network interfaces unavailable');
    },
  });
  manager.add(config({ id: 'bad', root: dir, lan: true }));
  manager.add(config({ id: 'good', root: dir }));

  const bad = await manager.start('bad');
  assert.ok(!bad.ok);
  assert.equal(bad.code, 'LISTEN_FAILED');
  assert.match(bad.message, /network interfaces unavailable/);
  const listed = manager.list().find((s) => s.id === 'bad');
  assert.equal(listed?.status, 'error');
  assert.match(listed?.error?.message ?? '', /network interfaces unavailable/);

  const good = await manager.start('good');
  assert.ok(good.ok);
  assert.equal(good.value.status, 'running');

  // Still wanted running, so the next launch tries again; a stop clears the error.
  assert.equal(manager.toSettings().servers.find((s) => s.id === 'bad')?.running, true);
  await manager.stop('bad');
  assert.equal(manager.list().find((s) => s.id === 'bad')?.status, 'stopped');
  assert.equal(manager.list().find((s) => s.id === 'bad')?.error, null);
});
