import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

// electron-builder's own loader and schema check: the same ones `npm run dist` runs.
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';

const ROOT = path.resolve(import.meta.dirname, '../..');

test('electron-builder.yml loads and passes electron-builder’s schema', async () => {
  const config = await getConfig(ROOT, path.join(ROOT, 'electron-builder.yml'), null);
  const debug = { add: () => undefined, isEnabled: false } as never;
  await validateConfiguration(config, debug);
  assert.equal(config.appId, 'dev.pier.app');
  assert.equal(config.productName, 'Pier');
  const targets = (platform: unknown) => JSON.stringify(platform);
  assert.match(targets(config.linux?.target), /AppImage/);
  assert.match(targets(config.linux?.target), /deb/);
  assert.match(targets(config.mac?.target), /dmg/);
  assert.match(targets(config.win?.target), /nsis/);
  assert.ok(existsSync(path.join(ROOT, String(config.icon))), 'the icon file exists');
});

test('electron-builder rejects a config with a misspelled key (the check is real)', async () => {
  const config = await getConfig(ROOT, path.join(ROOT, 'electron-builder.yml'), null);
  const debug = { add: () => undefined, isEnabled: false } as never;
  await assert.rejects(validateConfiguration({ ...config, linuxx: {} } as never, debug), /linuxx|unknown property/i);
});

test('the package takes the engine host with it (the process the servers run in)', async () => {
  const config = await getConfig(ROOT, path.join(ROOT, 'electron-builder.yml'), null);
  // electron-builder hands `files` back as [{ filter: [...] }].
  const files = JSON.stringify(config.files).match(/"[^"]*"/g)?.map((quoted) => JSON.parse(quoted) as string) ?? [];
  assert.ok(files.includes('dist/**/*'), 'dist/main/engine-host.cjs is under dist/');
  const excluded = files.filter((pattern) => pattern.startsWith('!'));
  assert.ok(excluded.every((pattern) => !/engine|dist\/main|\.cjs$|dist\/\*\*\/\*$/.test(pattern)), `nothing excludes it: ${excluded.join(', ')}`);
});
