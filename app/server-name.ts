import path from 'node:path';

import { SERVER_NAME_MAX } from './contract';

/**
 * The name a new server gets for the folder `root` (an absolute path): the
 * folder's name, or the whole path when that name is blank (`/`, a folder
 * called "   "). A label only, so a name longer than a server name may be
 * (Linux allows 255 bytes per folder name) is cut to fit and ends in "…",
 * rather than the folder being refused. The one place names are derived:
 * the app and the CLI agree.
 */
export function serverNameFor(root: string): string {
  const name = path.basename(root).trim() || root.trim();
  return truncate(name, SERVER_NAME_MAX);
}

/** `text` if it fits in `max` UTF-16 units (what the schema counts), else a prefix and "…", never half a character. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = '';
  for (const char of text) {
    if (kept.length + char.length > max - 1) break;
    kept += char;
  }
  // The schema trims names: a space before the ellipsis would be kept, but looks like a mistake.
  return `${kept.trimEnd()}…`;
}
