/**
 * The live-reload client, and how it goes into a page.
 *
 * Pages get one tag, `<script src="/.pier/live.js" data-pier-watch="…">`:
 * an external script (a page's own Content-Security-Policy with `script-src
 * 'self'` allows it; an inline one would not be), on the page's own origin
 * and by an absolute path, so it works over HTTPS, behind the password and
 * from a phone on the LAN alike. `data-pier-watch` names what the page shows:
 * the site path of the HTML file (`/index.html` also for an SPA route),
 * a folder (`/docs/`, a listing), or `*` (one of Pier's error pages: reload
 * on any change).
 *
 * The script is kept here as text (not read from disk at run time), so the
 * bundles (dist/cli.js, the engine host) carry it.
 */
import { escapeHtml } from './pages';

/** The script's address; answered by pier-endpoints.ts. */
export const CLIENT_PATH = '/.pier/live.js';
/** The event stream's address. */
export const EVENTS_PATH = '/.pier/live';

/**
 * The client. On an event `change` with `{"paths": [...]}` (site paths, or
 * null for "too many to name"): a changed stylesheet that the page links is
 * swapped in place (its href cache-busted, the old sheet removed once the new
 * one has loaded); the page reloads when the page itself, or anything else it
 * loaded (performance.getEntriesByType('resource')), changed; a change to a
 * file the page never used is ignored. When it cannot tell (the resource
 * timing buffer overflowed, an error page), it reloads. Event `hello`
 * carries the server's start id: a new id after a reconnect means the server
 * restarted (perhaps with other options), so the page reloads too. While the
 * server is unreachable it retries after 1 s, then less and less often (at
 * most every 30 s), rather than every second forever.
 */
export const CLIENT_SCRIPT = String.raw`/* Pier live reload */
(() => {
  'use strict';
  const me = document.currentScript;
  if (window.__pierLive) return;
  const state = (window.__pierLive = { ready: false, events: 0 });
  const watch = (me && me.getAttribute('data-pier-watch')) || '';
  let unsure = false;
  try {
    performance.setResourceTimingBufferSize(2000);
    performance.addEventListener('resourcetimingbufferfull', () => { unsure = true; });
  } catch (e) { unsure = true; }
  const decode = (s) => { try { return decodeURIComponent(s); } catch (e) { return s; } };
  const local = (href) => {
    try { const u = new URL(href, location.href); return u.origin === location.origin ? u : null; } catch (e) { return null; }
  };
  // The files an address may have been answered from: /docs/ by /docs/index.html,
  // a clean URL by /page.html, /app.js by a precompressed /app.js.br.
  const filesOf = (pathname) => {
    const p = decode(pathname);
    if (p.endsWith('/')) return [p, p + 'index.html'];
    return [p, p + '.html', p + '/index.html', p + '.br', p + '.gz'];
  };
  const pageFiles = () => {
    const files = new Set(filesOf(location.pathname));
    if (watch && watch !== '*') files.add(watch);
    return files;
  };
  const usedFiles = () => {
    const files = new Set();
    for (const entry of performance.getEntriesByType('resource')) {
      const u = local(entry.name);
      if (!u || u.pathname.startsWith('/.pier/')) continue;
      for (const f of filesOf(u.pathname)) files.add(f);
    }
    return files;
  };
  const isErrorPage = () => {
    if (watch === '*') return true;
    const nav = performance.getEntriesByType('navigation')[0];
    return Boolean(nav && nav.responseStatus >= 400);
  };
  const swapping = new WeakSet();
  const linksTo = (file) => Array.from(document.querySelectorAll('link[rel~="stylesheet" i][href]')).filter((link) => {
    if (swapping.has(link)) return false;
    const u = local(link.href);
    return u !== null && filesOf(u.pathname).includes(file);
  });
  const swap = (link) => {
    swapping.add(link);
    const u = new URL(link.href);
    u.searchParams.set('pier-live', Date.now().toString(36));
    const next = link.cloneNode(false);
    next.href = u.href;
    const done = () => link.remove();
    next.addEventListener('load', done, { once: true });
    next.addEventListener('error', done, { once: true });
    link.after(next);
  };
  const reload = () => location.reload();
  const onChange = (paths) => {
    if (!Array.isArray(paths) || unsure || isErrorPage()) return reload();
    const page = pageFiles();
    const used = usedFiles();
    const folder = watch.endsWith('/') ? watch : null;
    const sheets = [];
    for (const path of paths) {
      if (page.has(path)) return reload();
      if (folder !== null && path.slice(0, path.lastIndexOf('/') + 1) === folder) return reload();
      if (!used.has(path)) continue;
      const links = /\.css$/i.test(path) ? linksTo(path) : [];
      if (links.length === 0) return reload();
      sheets.push(...links);
    }
    new Set(sheets).forEach(swap);
  };
  let boot = null;
  let delay = 1000;
  const connect = () => {
    const source = new EventSource('/.pier/live');
    source.addEventListener('hello', (event) => {
      const id = JSON.parse(event.data).boot;
      if (boot !== null && boot !== id) return reload();
      boot = id;
      delay = 1000;
      state.ready = true;
    });
    source.addEventListener('change', (event) => {
      state.events++;
      onChange(JSON.parse(event.data).paths);
    });
    source.addEventListener('error', () => {
      // Refused (live reload switched off, too many pages): the browser gives up, and so do we.
      if (source.readyState !== EventSource.CONNECTING) return;
      // The server is gone (stopped, restarting, a phone asleep): try again, less and less often.
      source.close();
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  };
  connect();
})();
`;

/** The tag that loads the client, for a page that shows `watch` (see the file's comment). */
export function clientTag(watch: string): Buffer {
  return Buffer.from(`<script src="${CLIENT_PATH}" data-pier-watch="${escapeHtml(watch)}"></script>`);
}

/** True for a Content-Type that gets the client: HTML only (never XHTML, JSON, text…). */
export const isHtml = (type: string): boolean => type.startsWith('text/html');

/**
 * `html` with the client's tag in it: before the last `</body>`, or at the
 * end when there is none (the HTML parser then still puts it into the body).
 * The bytes around it are untouched; a UTF-16 page (BOM) is left as it is,
 * since ASCII bytes put into it would garble it.
 */
export function injectClient(html: Buffer, watch: string): Buffer {
  if (html.length >= 2 && ((html[0] === 0xfe && html[1] === 0xff) || (html[0] === 0xff && html[1] === 0xfe))) return html;
  const tag = clientTag(watch);
  // latin1 maps bytes to characters one to one (and so does its lower case): indexes are byte offsets.
  const at = html.toString('latin1').toLowerCase().lastIndexOf('</body');
  if (at === -1) return Buffer.concat([html, tag]);
  return Buffer.concat([html.subarray(0, at), tag, html.subarray(at)]);
}
