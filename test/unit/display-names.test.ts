import { test } from 'node:test';
import assert from 'node:assert/strict';

import type { ServerState } from '../../app/contract';
import { displayNames } from '../../renderer/display-names';

/** Just what displayNames reads of a server. */
const server = (id: string, root: string, name = root.split('/').at(-1)!) => ({ id, config: { name, root } }) as unknown as ServerState;

const shown = (servers: ServerState[]) => servers.map((s) => displayNames(servers).get(s.id));

test('names that differ are shown as they are', () => {
  assert.deepEqual(shown([server('a', '/w/site/dist'), server('b', '/w/site/docs')]), ['dist', 'docs']);
});

test('only the colliding names get their parent folder', () => {
  const servers = [server('a', '/w/site-a/dist'), server('b', '/w/site-b/dist'), server('c', '/w/site-a/docs')];
  assert.deepEqual(shown(servers), ['dist — site-a', 'dist — site-b', 'docs']);
});

test('parents that collide too: as many folders as tell them apart', () => {
  const servers = [server('a', '/home/ann/app/dist'), server('b', '/home/bob/app/dist')];
  assert.deepEqual(shown(servers), ['dist — ann/app', 'dist — bob/app']);
});

test('the same name chosen for two folders is told apart the same way', () => {
  const servers = [server('a', '/w/one/site', 'Shop'), server('b', '/w/two/build', 'Shop')];
  assert.deepEqual(shown(servers), ['Shop — one', 'Shop — two']);
});

test('two servers of the very same folder: nothing can tell them apart, nothing breaks', () => {
  const servers = [server('a', '/w/site/dist'), server('b', '/w/site/dist')];
  assert.deepEqual(shown(servers), ['dist — w/site', 'dist — w/site']);
});

test('Windows paths keep their separator', () => {
  const servers = [server('a', 'C:\\Users\\ann\\app\\dist', 'dist'), server('b', 'C:\\Users\\bob\\app\\dist', 'dist')];
  assert.deepEqual(shown(servers), ['dist — ann\\app', 'dist — bob\\app']);
});
