import path from 'node:path';

/**
 * Pure checks on request paths. Everything here errs on the side of refusing:
 * a false 404 costs a user a moment, a false 200 can leak a private file.
 */

export type DecodedPath =
  | { ok: true; pathname: string; rawPath: string; query: string }
  | { ok: false; status: 400 | 404 };

/**
 * Split a raw request target into its decoded pathname and raw query, and reject
 * anything that could mean "outside the root": undecodable escapes, NUL bytes,
 * backslashes (a separator on Windows), and `.`/`..` segments.
 * Decodes exactly once, as browsers encode once, so `%252e%252e` stays the
 * literal name `%2e%2e`.
 */
export function decodeRequestPath(rawUrl: string): DecodedPath {
  if (!rawUrl.startsWith('/')) return { ok: false, status: 400 };
  const hash = rawUrl.indexOf('#');
  const target = hash === -1 ? rawUrl : rawUrl.slice(0, hash);
  const q = target.indexOf('?');
  const rawPath = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? '' : target.slice(q);
  let pathname = rawPath;
  // (Only escapes need decoding; this is every request's path, so skip the call when there are none.)
  if (rawPath.includes('%')) {
    try {
      pathname = decodeURIComponent(rawPath);
    } catch {
      // URIError: a malformed escape such as %E0%A4%A. The client sent garbage.
      return { ok: false, status: 400 };
    }
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return { ok: false, status: 400 };
  // A `.` or `..` segment always follows a slash (the path starts with one).
  if (pathname.includes('/.')) {
    for (const segment of pathname.split('/')) {
      if (segment === '..' || segment === '.') return { ok: false, status: 400 };
    }
  }
  return { ok: true, pathname, rawPath, query };
}

/**
 * True when a path relative to the root has a segment starting with a dot
 * (`.env`, `.git/config`, `a/.secret/b`), except a leading `.well-known`.
 * Accepts either separator so it works on paths from URLs and from the disk.
 */
export function isHiddenPath(relative: string): boolean {
  // A segment that starts with a dot starts the string or follows a separator.
  if (relative[0] !== '.' && !relative.includes('/.') && !relative.includes('\\.')) return false;
  const segments = relative.split(/[/\\]/);
  let first = true;
  for (const segment of segments) {
    if (segment === '') continue;
    if (segment.startsWith('.') && !(first && segment === '.well-known')) return true;
    first = false;
  }
  return false;
}

/** True when `target` is `root` or inside it. Both must be absolute and normalized. */
export function isInside(root: string, target: string): boolean {
  if (target === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return target.startsWith(prefix);
}

/** True when the last segment of a URL path has a file extension (`/app.js`, not `/settings`). */
export function hasExtension(pathname: string): boolean {
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  const dot = last.lastIndexOf('.');
  return dot > 0 && dot < last.length - 1;
}
