/**
 * Presets: the header sets a kind of build needs, on every response of the
 * server (files, listings, errors), and still overridable by custom headers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { serve, type ServedSite } from '../helpers/serve';

const tree = { 'index.html': '<!doctype html><title>game</title>', 'game.wasm': Buffer.from([0, 97, 115, 109]), build: { 'a.txt': 'a' } };

describe('the cross-origin-isolated preset', () => {
  let site: ServedSite;
  before(async () => {
    site = await serve(tree, { config: { presets: ['cross-origin-isolated'] } });
  });
  after(() => site?.close());

  test('COOP same-origin and COEP require-corp on a page, a file, a listing and a 404', async () => {
    for (const [target, status] of [['/', 200], ['/game.wasm', 200], ['/build/', 200], ['/nope.js', 404]] as const) {
      const res = await site.request(target);
      assert.equal(res.status, status, target);
      assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin', target);
      assert.equal(res.headers['cross-origin-embedder-policy'], 'require-corp', target);
    }
  });
});

describe('presets and custom headers', () => {
  let site: ServedSite;
  before(async () => {
    site = await serve(tree, {
      config: { presets: ['cross-origin-isolated'], headers: [{ name: 'Cross-Origin-Embedder-Policy', value: 'credentialless' }] },
    });
  });
  after(() => site?.close());

  test('a custom header of the same name wins, once', async () => {
    const res = await site.request('/');
    assert.equal(res.headers['cross-origin-embedder-policy'], 'credentialless');
    assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin');
  });
});

describe('without a preset', () => {
  let site: ServedSite;
  before(async () => {
    site = await serve(tree);
  });
  after(() => site?.close());

  test('no isolation headers', async () => {
    const res = await site.request('/');
    assert.equal(res.headers['cross-origin-opener-policy'], undefined);
    assert.equal(res.headers['cross-origin-embedder-policy'], undefined);
  });
});
