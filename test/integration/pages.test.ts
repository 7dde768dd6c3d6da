/**
 * The pages Pier writes itself: listings and error pages, as a browser and as
 * curl see them. Names come from the folder and paths from the client, so both
 * must arrive escaped.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { serve, type ServedSite } from '../helpers/serve';

const BROWSER = { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe("Pier's own pages", () => {
  let site: ServedSite;
  before(async () => {
    site = await serve({
      docs: { 'guide.txt': 'guide', '<img src=x onerror=alert(1)>.txt': 'x', 'a & b.txt': 'ab', nested: { 'deep.txt': 'deep' } },
    });
  });
  after(() => site?.close());

  test('a listing shows folders first, sizes, and a breadcrumb home, in HTML', async () => {
    const res = await site.request('/docs/', { headers: BROWSER });
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^text\/html/);
    assert.match(res.body, /<title>Index of \/docs\/<\/title>/);
    assert.match(res.body, /<a href="\/">Home<\/a> \/ <a href="\/docs\/">docs<\/a>/);
    assert.ok(res.body.indexOf('nested/') < res.body.indexOf('guide.txt'), 'folders come first');
    assert.match(res.body, /guide\.txt<\/a><\/td><td class="num">5 B</);
    assert.match(res.body, /prefers-color-scheme:dark/);
  });

  test('file names are escaped in the listing, and links are URL-encoded', async () => {
    const res = await site.request('/docs/', { headers: BROWSER });
    assert.doesNotMatch(res.body, /<img src=x/);
    assert.match(res.body, /&lt;img src=x onerror=alert\(1\)&gt;\.txt/);
    assert.match(res.body, /href="a%20%26%20b\.txt"/);
    assert.match(res.body, /a &amp; b\.txt/);
  });

  test('a listing as JSON for scripts', async () => {
    const res = await site.request('/docs/', { headers: { Accept: 'application/json' } });
    assert.equal(res.status, 200);
    const listing = JSON.parse(res.body) as { path: string; entries: Array<{ name: string; type: string; size: number | null }> };
    assert.equal(listing.path, '/docs/');
    assert.deepEqual(listing.entries[0], { ...listing.entries[0], name: 'nested', type: 'directory', size: null });
    assert.ok(listing.entries.some((e) => e.name === 'guide.txt' && e.type === 'file' && e.size === 5));
  });

  test('a browser gets a 404 page that names the path, escaped, and links home', async () => {
    const res = await site.request('/docs/%3Cscript%3Ealert(1)%3C%2Fscript%3E.html', { headers: BROWSER });
    assert.equal(res.status, 404);
    assert.match(res.headers['content-type'] ?? '', /^text\/html/);
    assert.doesNotMatch(res.body, /<script>alert/);
    assert.match(res.body, /There is nothing at \/docs\/&lt;script&gt;alert\(1\)&lt;\/script&gt;\.html in this folder\./);
    assert.match(res.body, /<a href="\/">Go to the home page<\/a>/);
  });

  test('curl and scripts get one line of text instead', async () => {
    const res = await site.request('/missing.txt', { headers: { Accept: '*/*' } });
    assert.equal(res.status, 404);
    assert.match(res.headers['content-type'] ?? '', /^text\/plain/);
    assert.equal(res.body, 'There is nothing at /missing.txt in this folder.\n');
  });
});
