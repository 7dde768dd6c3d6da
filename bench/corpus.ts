/**
 * The folder every contender serves, and the cases requested from it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Case } from './measure';
import { UPSTREAM_BYTES, UPSTREAM_PATH } from './upstream';

const KB = 1024;
export const LISTING_ENTRIES = 1_000;

/** Measured in this order, every contender one after another within a case. */
export const CASES: Case[] = [
  { id: 'small', name: '2 KB page (/ → index.html)', urlPath: '/', status: 200, bytes: 2 * KB },
  { id: 'script', name: '50 KB script', urlPath: '/app.js', status: 200, bytes: 50 * KB },
  // What a browser asks for. Each server compresses as it does by default or
  // when told to (see the notes): a server that compresses per request pays for it on every one.
  {
    id: 'scriptBr',
    name: '50 KB script, Accept-Encoding: br, gzip',
    urlPath: '/app.js',
    status: 200,
    bytes: null,
    headers: { 'Accept-Encoding': 'br, gzip' },
  },
  { id: 'large', name: '1 MB file', urlPath: '/large.bin', status: 200, bytes: KB * KB },
  // .js, not .html: serve's clean URLs redirect any *.html, missing or not.
  { id: 'notFound', name: '404', urlPath: '/no-such-file.js', status: 404, bytes: null },
  { id: 'listing', name: `${LISTING_ENTRIES.toLocaleString('en')}-entry directory listing`, urlPath: '/list/', status: 200, bytes: null },
  // Through each server's reverse proxy to one upstream (bench/upstream.ts): what a proxy adds per request.
  { id: 'proxy', name: '2 KB JSON through the reverse proxy (/api/ → local nginx)', urlPath: UPSTREAM_PATH, status: 200, bytes: UPSTREAM_BYTES, upstream: true },
];

/** Text of `bytes` bytes that looks like `line` repeated. */
function filler(line: string, bytes: number): string {
  return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}

/**
 * `bytes` bytes of JavaScript that compress about as well as a real minified
 * bundle (brotli to roughly a quarter): names and numbers vary, from a fixed
 * seed so every run serves the same file.
 */
function bundleLike(bytes: number): string {
  let seed = 0x2f6b3a1d;
  const next = (n: number) => {
    // xorshift32: a fixed, dependency-free stream of numbers.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const words = ['state', 'props', 'node', 'value', 'index', 'render', 'update', 'child', 'key', 'ref', 'effect', 'queue', 'lane', 'fiber'];
  const name = () => `${words[next(words.length)]}${next(1000).toString(36)}`;
  let out = '';
  while (out.length < bytes) {
    out += `function ${name()}(${name()},${name()}){var ${name()}=${next(100000)};if(${name()}.${name()}>${next(64)})return ${name()}(${name()},"${name()}");` +
      `for(var i=0;i<${next(32)};i++)${name()}.push(${name()}[i]|${next(255)});return null}\n`;
  }
  return out.slice(0, bytes);
}

export function makeCorpus(dir: string): void {
  const html = '<!doctype html>\n<html lang="en">\n<meta charset="utf-8">\n<title>Pier bench</title>\n<body>\n<p>';
  writeFileSync(path.join(dir, 'index.html'), filler(html + 'Lorem ipsum dolor sit amet. '.repeat(80), 2 * KB));
  writeFileSync(path.join(dir, 'app.js'), bundleLike(50 * KB));
  writeFileSync(path.join(dir, 'large.bin'), randomBytes(KB * KB));
  // A folder without index.html, so every server lists it.
  const list = path.join(dir, 'list');
  mkdirSync(list);
  for (let i = 1; i <= LISTING_ENTRIES; i++) {
    writeFileSync(path.join(list, `photo-${String(i).padStart(4, '0')}.jpg`), `entry ${i}\n`);
  }
}
