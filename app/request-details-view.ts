/**
 * One request as the details panel and HAR export show it: its log entry with
 * whatever headers are still kept, and the URL the client asked for.
 */
import { STATUS_CODES } from 'node:http';

import type { HeaderField, LogEntry, RequestDetails } from './contract';
import { curlCommand } from './curl';
import type { KeptDetails } from './request-details';

/** The value of the first header named `name` (any case), or undefined. */
export function headerValue(headers: readonly HeaderField[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((header) => header.name.toLowerCase() === lower)?.value;
}

/**
 * The URL the client asked for: the scheme it came over, the host it named
 * (the Host header, else the server's own `fallbackHost`), and the path.
 * A Host header that is not a plain host[:port] is not trusted into a URL.
 */
export function requestUrl(path: string, kept: KeptDetails | null, fallbackHost: string, fallbackSecure: boolean): string {
  const named = kept ? headerValue(kept.requestHeaders, 'host') : undefined;
  const host = named && /^[A-Za-z0-9.\-_[\]:]+$/.test(named) ? named : fallbackHost;
  const secure = kept ? kept.secure : fallbackSecure;
  // An absolute-form request line (a client that took Pier for a proxy) is already a URL.
  if (/^https?:\/\//i.test(path)) return path;
  return `${secure ? 'https' : 'http'}://${host}${path.startsWith('/') ? path : `/${path}`}`;
}

/** Content-Length of the request, when it had one that is a number. */
export function requestBodyBytes(headers: readonly HeaderField[]): number | null {
  const length = headerValue(headers, 'content-length');
  return length !== undefined && /^\d{1,15}$/.test(length.trim()) ? Number(length) : null;
}

/** What the window shows for one request whose headers are still kept. */
export function requestDetails(entry: LogEntry, kept: KeptDetails, fallbackHost: string): RequestDetails {
  const url = requestUrl(entry.path, kept, fallbackHost, kept.secure);
  return {
    url,
    httpVersion: `HTTP/${kept.httpVersion}`,
    statusText: STATUS_CODES[entry.status] ?? '',
    requestHeaders: kept.requestHeaders,
    responseHeaders: kept.responseHeaders,
    requestBodyBytes: requestBodyBytes(kept.requestHeaders),
    redacted: kept.redacted,
    truncated: kept.truncated,
    curl: curlCommand(entry.method, url, kept.requestHeaders),
  };
}
