/**
 * Recognizes a game-engine web build in a served folder, so the window can
 * offer the preset it needs before someone wonders why it won't load.
 *
 * Cheap and bounded: it lists the root, at most a few folders one level
 * down and the `Build/` folder it finds, each listing cut off after
 * MAX_ENTRIES names. It never follows a link (a link is neither a folder nor
 * a file to it), so nothing outside the folder is ever read, and it never
 * throws: an unreadable folder is simply not a build.
 */
import { opendir } from 'node:fs/promises';
import path from 'node:path';

import type { DetectedBuild } from './contract';

/** Names read per folder, at most: a huge folder costs the same as a small one. */
const MAX_ENTRIES = 2_000;
/** Folders one level down looked into for a `Build/` folder, at most. */
const MAX_SUBFOLDERS = 16;

interface Listing {
  files: string[];
  folders: string[];
}

/** The plain files and folders directly in `dir` (no links, no dot-names), or null when it can't be read. */
async function list(dir: string): Promise<Listing | null> {
  const listing: Listing = { files: [], folders: [] };
  try {
    const handle = await opendir(dir, { bufferSize: 64 });
    let seen = 0;
    // Breaking out of the loop closes the handle.
    for await (const entry of handle) {
      if (++seen > MAX_ENTRIES) break;
      if (entry.name.startsWith('.')) continue;
      // Dirent types come from the listing itself: a symlink is neither, so it is never followed.
      if (entry.isFile()) listing.files.push(entry.name);
      else if (entry.isDirectory()) listing.folders.push(entry.name);
    }
  } catch {
    // Unreadable, vanished or not a folder: there is no build here to report.
    return null;
  }
  listing.files.sort();
  listing.folders.sort();
  return listing;
}

const UNITY_WASM = [/\.wasm\.br$/, /\.wasm\.gz$/, /\.wasm$/];

/** A Unity `Build/` folder: a `*.loader.js` and a wasm (brotli first). Returns the wasm's name. */
function unityWasm(build: Listing): string | null {
  if (!build.files.some((name) => name.endsWith('.loader.js'))) return null;
  for (const pattern of UNITY_WASM) {
    const wasm = build.files.find((name) => pattern.test(name));
    if (wasm) return wasm;
  }
  return null;
}

async function findUnity(root: string, top: Listing): Promise<DetectedBuild | null> {
  // Build/ at the root first, then in a folder one level down (e.g. a "WebGL" export folder).
  const candidates = top.folders.includes('Build') ? [''] : [];
  candidates.push(...top.folders.filter((name) => name !== 'Build').slice(0, MAX_SUBFOLDERS));
  for (const sub of candidates) {
    if (sub !== '' && !(await list(path.join(root, sub)))?.folders.includes('Build')) continue;
    const build = await list(path.join(root, sub, 'Build'));
    const wasm = build && unityWasm(build);
    if (wasm) {
      const evidence = [sub, 'Build', wasm].filter(Boolean).join('/');
      return { kind: 'unity', evidence, presets: ['unity'] };
    }
  }
  return null;
}

/** A Godot web export: a `.pck` beside a `.wasm` at the root. */
function findGodot(top: Listing): DetectedBuild | null {
  const pck = top.files.find((name) => name.endsWith('.pck'));
  if (!pck || !top.files.some((name) => name.endsWith('.wasm'))) return null;
  return { kind: 'godot', evidence: pck, presets: ['cross-origin-isolated'] };
}

/**
 * The kind of build served from `root`, with the presets it needs, or null.
 * `root` should be the folder's real path (the server's realRoot).
 */
export async function detectBuild(root: string): Promise<DetectedBuild | null> {
  try {
    const top = await list(root);
    if (!top) return null;
    return findGodot(top) ?? (await findUnity(root, top));
  } catch {
    // Detection is a hint for the window; a surprise here must never stop a server from starting.
    return null;
  }
}
