/**
 * The request log as HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/),
 * the format browsers' DevTools import and export. Pier knows each request's
 * total time, not its phases, so the whole time is `wait` (time to answer);
 * headers are included for requests whose headers are still kept.
 */
import { STATUS_CODES } from 'node:http';

import type { HeaderField, LogEntry } from './contract';
import type { KeptDetails } from './request-details';
import { headerValue, requestBodyBytes, requestUrl } from './request-details-view';

interface HarHeader {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: HarHeader[];
    headers: HarHeader[];
    queryString: HarHeader[];
    headersSize: -1;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: HarHeader[];
    headers: HarHeader[];
    content: { size: number; mimeType: string };
    redirectURL: string;
    headersSize: -1;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: { blocked: -1; dns: -1; connect: -1; ssl: -1; send: number; wait: number; receive: number };
  /** Custom fields (HAR allows them with a leading underscore). */
  _clientAddress: string;
  _upstream?: string;
  comment?: string;
}

export interface HarFile {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    entries: HarEntry[];
    comment?: string;
  };
}

export interface HarOptions {
  /** Pier's version, for `creator`. */
  version: string;
  /** host:port of the server, for entries whose Host header is no longer known. */
  host: string;
  /** The server answers over HTTPS (for entries whose headers are no longer kept). */
  secure: boolean;
}

/** Milliseconds to three decimals: HAR times are numbers, and a float's tail helps no one. */
const ms = (value: number) => Math.round(value * 1000) / 1000;

function queryString(url: string): HarHeader[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    // A request path that makes no URL (it was cut at 2,048 characters mid-escape): no query to list.
    return [];
  }
}

/** `Cookie: a=1; b=2` → a and b; each `Set-Cookie` → its name and value (attributes left out); a redacted value names nothing. */
function cookiesOf(headers: readonly HeaderField[], name: 'cookie' | 'set-cookie'): HarHeader[] {
  const pairs = headers.filter((header) => header.name.toLowerCase() === name).flatMap((header) => (name === 'cookie' ? header.value.split(';') : [header.value.split(';')[0] ?? '']));
  return pairs.flatMap((pair) => {
    const at = pair.indexOf('=');
    return at > 0 ? [{ name: pair.slice(0, at).trim(), value: pair.slice(at + 1).trim() }] : [];
  });
}

function entryOf(entry: LogEntry, kept: KeptDetails | null, options: HarOptions): HarEntry {
  const url = requestUrl(entry.path, kept, options.host, options.secure);
  const requestHeaders: HeaderField[] = kept?.requestHeaders ?? [];
  const responseHeaders: HeaderField[] = kept?.responseHeaders ?? [];
  const httpVersion = kept ? `HTTP/${kept.httpVersion}` : 'HTTP/1.1';
  const bodyless = entry.method === 'GET' || entry.method === 'HEAD';
  const har: HarEntry = {
    startedDateTime: new Date(entry.time - entry.ms).toISOString(),
    time: ms(entry.ms),
    request: {
      method: entry.method,
      url,
      httpVersion,
      cookies: cookiesOf(requestHeaders, 'cookie'),
      headers: requestHeaders.map(({ name, value }) => ({ name, value })),
      queryString: queryString(url),
      headersSize: -1,
      bodySize: requestBodyBytes(requestHeaders) ?? (bodyless ? 0 : -1),
    },
    response: {
      status: entry.status,
      statusText: STATUS_CODES[entry.status] ?? '',
      httpVersion,
      cookies: cookiesOf(responseHeaders, 'set-cookie'),
      headers: responseHeaders.map(({ name, value }) => ({ name, value })),
      content: { size: entry.bytes, mimeType: headerValue(responseHeaders, 'content-type') ?? 'x-unknown' },
      redirectURL: headerValue(responseHeaders, 'location') ?? '',
      headersSize: -1,
      bodySize: entry.bytes,
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: ms(entry.ms), receive: 0 },
    _clientAddress: entry.ip,
  };
  if (entry.upstream !== undefined) har._upstream = entry.upstream;
  if (!kept) har.comment = 'Headers no longer kept by Pier.';
  else if (kept.redacted) har.comment = 'Authorization and cookie values redacted (the server has a password).';
  return har;
}

/** A HAR 1.2 log of `entries`, oldest first, with the headers `detailsOf` still has. */
export function harLog(entries: readonly LogEntry[], detailsOf: (seq: number) => KeptDetails | null, options: HarOptions): HarFile {
  return {
    log: {
      version: '1.2',
      creator: { name: 'Pier', version: options.version },
      entries: entries.map((entry) => entryOf(entry, detailsOf(entry.seq), options)),
    },
  };
}
