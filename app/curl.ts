/**
 * "Copy as cURL": a command for a POSIX shell (sh, bash, zsh) that makes the
 * same request again, as browsers' DevTools offer it.
 */
import type { HeaderField } from './contract';

// Headers curl sets itself from the URL and the (absent) body, or that only
// make sense on the connection they came over: copying them would send a
// wrong Content-Length or a second Host.
const NOT_COPIED = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length', 'expect']);

/** One shell word: single-quoted, with each ' written as '\'' (the only character single quotes can't hold). */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A curl command for `method` on `url` with the request's `headers` (minus
 * the connection's own, see NOT_COPIED), one option per line. The body is
 * not known, so none is sent. Accept-Encoding is kept, with `--compressed`
 * so curl decodes what the server compresses.
 */
export function curlCommand(method: string, url: string, headers: readonly HeaderField[]): string {
  const words = ['curl'];
  if (method === 'HEAD') words.push('--head');
  else if (method !== 'GET') words.push('-X', shellQuote(method));
  words.push(shellQuote(url));
  let compressed = false;
  for (const { name, value } of headers) {
    const lower = name.toLowerCase();
    if (NOT_COPIED.has(lower)) continue;
    if (lower === 'accept-encoding') compressed = true;
    // "Name;" is curl's way to send a header with an empty value ("Name:" would remove it).
    words.push('-H', shellQuote(value === '' ? `${name};` : `${name}: ${value}`));
  }
  if (compressed) words.push('--compressed');
  // Options pair up with their values on one line each, so a long command stays readable.
  const lines: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    lines.push(word === '-H' || word === '-X' ? `${word} ${words[++i]}` : word);
  }
  return [lines.slice(0, 2).join(' '), ...lines.slice(2)].join(' \\\n  ');
}
